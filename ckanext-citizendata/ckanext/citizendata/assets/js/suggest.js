/* Search-box suggestions: datasets by title and vocabulary concepts (SDG indicators, population groups,
 * initiative types, ...) that are facets, each linking to its filtered search. Uses the action
 * citizendata_suggest; labels come in the page's language.
 *
 * Usage: <div data-module="citizendata-suggest" data-module-lang="es"> ... <input name="q"> ... </div>
 */
this.ckan.module('citizendata-suggest', function ($) {
  return {
    options: {lang: null, delay: 200, min: 2, limit: 5},

    initialize: function () {
      $.proxyAll(this, /_on/);
      this.input = this.el.find('input[name="q"]').first();
      if (!this.input.length) { return; }
      this.list = $('<ul class="citizendata-suggest" role="listbox" hidden></ul>');
      this.list.attr('id', 'citizendata-suggest-' + Math.random().toString(36).slice(2));
      this.input.attr({'role': 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
                       'aria-controls': this.list.attr('id')});
      this.input.after(this.list);
      this.timer = null;
      this.active = -1;
      this.input.on('input', this._onInput);
      this.input.on('keydown', this._onKeydown);
      this.input.on('blur', this._onBlur);
    },

    _onInput: function () {
      clearTimeout(this.timer);
      var q = $.trim(this.input.val());
      if (q.length < this.options.min) { this.hide(); return; }
      this.timer = setTimeout(this._onFetch, this.options.delay);
    },

    _onFetch: function () {
      var q = $.trim(this.input.val());
      var params = {q: q, limit: this.options.limit};
      if (this.options.lang) { params.lang = this.options.lang; }
      var self = this;
      $.getJSON(this.sandbox.client.url('/api/3/action/citizendata_suggest'), params)
        .done(function (data) {
          if ($.trim(self.input.val()) === q) { self.render(data.result || {}); }
        })
        .fail(function () { self.hide(); });
    },

    render: function (result) {
      var items = [];
      var client = this.sandbox.client;
      $.each(result.concepts || [], function (i, c) {
        items.push({text: c.label, detail: c.value + ' (' + c.count + ')', href: client.url(c.url), kind: 'concept'});
      });
      $.each(result.datasets || [], function (i, d) {
        items.push({text: d.title || d.name, detail: '', href: client.url('/dataset/' + d.name), kind: 'dataset'});
      });
      this.list.empty();
      this.active = -1;
      if (!items.length) { this.hide(); return; }
      var list = this.list;
      $.each(items, function (i, item) {
        var link = $('<a></a>').attr('href', item.href).text(item.text);
        var li = $('<li role="option"></li>').addClass('citizendata-suggest-' + item.kind).append(link);
        if (item.detail) { li.append($('<span class="citizendata-suggest-detail"></span>').text(item.detail)); }
        list.append(li);
      });
      this.list.prop('hidden', false);
      this.input.attr('aria-expanded', 'true');
    },

    hide: function () {
      this.list.prop('hidden', true).empty();
      this.input.attr('aria-expanded', 'false');
      this.active = -1;
    },

    _onKeydown: function (event) {
      var options = this.list.children('li');
      if (this.list.prop('hidden') || !options.length) { return; }
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        var step = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + step + options.length) % options.length;
        options.removeClass('active').attr('aria-selected', 'false');
        options.eq(this.active).addClass('active').attr('aria-selected', 'true');
      } else if (event.key === 'Enter' && this.active >= 0) {
        event.preventDefault();
        window.location.href = options.eq(this.active).find('a').attr('href');
      } else if (event.key === 'Escape') {
        this.hide();
      }
    },

    _onBlur: function () {
      var self = this;
      setTimeout(function () { self.hide(); }, 150);  // let a click on a suggestion land first
    }
  };
});
