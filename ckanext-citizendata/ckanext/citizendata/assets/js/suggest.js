/* Search-box suggestions: datasets and initiatives by title, and vocabulary concepts (SDG indicators, countries,
 * population groups, initiative types, ...) that are facets, each saying what kind of thing it is. Uses the action
 * citizendata_suggest; labels come in the page's language.
 *
 * Choosing a concept keeps the search's current filters: its filter is added to the current page's parameters
 * (the typed text and the page number are dropped); choosing a dataset opens its page.
 *
 * ARIA combobox (WAI-ARIA 1.2): the input has role=combobox, aria-expanded, aria-controls and
 * aria-activedescendant (updated on ArrowDown / ArrowUp); Enter chooses the active option (or submits the
 * search when none is), Escape closes the list; the number of suggestions is announced in a status region.
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
      var id = 'citizendata-suggest-' + Math.random().toString(36).slice(2);
      this.list = $('<ul class="citizendata-suggest" role="listbox" hidden></ul>')
        .attr({'id': id, 'aria-label': this._('Suggestions')});
      this.status = $('<div class="visually-hidden" role="status" aria-live="polite"></div>');
      this.input.attr({'role': 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
                       'aria-controls': id, 'aria-haspopup': 'listbox'});
      this.input.after(this.list, this.status);
      this.timer = null;
      this.active = -1;
      this.items = [];
      this.input.on('input', this._onInput);
      this.input.on('keydown', this._onKeydown);
      this.input.on('blur', this._onBlur);
      this.list.on('mousedown', 'li[role="option"]', this._onChoose);
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

    /* The address a concept's filter leads to: the current search page with its parameters and the filter
     * added, or (elsewhere) the dataset search with the filter alone. */
    filterUrl: function (field, value) {
      var form = this.el.closest('form');
      // a form without action submits to the page it is on (the dataset search, an organization's page)
      var target = form.length ? (form.attr('action') || window.location.href) : window.ckan.url('/dataset/', true);
      var action = new URL(target, window.location.href);
      var here = new URL(window.location.href);
      var params = action.pathname === here.pathname ? new URLSearchParams(here.search) : new URLSearchParams();
      params.delete('q');
      params.delete('page');
      var already = params.getAll(field).indexOf(value) !== -1;
      if (!already) { params.append(field, value); }
      action.search = params.toString();
      return action.pathname + action.search;
    },

    render: function (result) {
      var items = [];
      var self = this;
      $.each(result.concepts || [], function (i, c) {
        // a code worth showing (16.6.2, GHA), not a slug (women-girls)
        var code = /\d/.test(c.value) || /^[A-Z]{2,3}$/.test(c.value) ? c.value : '';
        items.push({text: c.label, kind: c.kind || '', code: code, count: c.count,
                    href: self.filterUrl(c.field, c.value), type: 'concept'});
      });
      $.each(result.datasets || [], function (i, d) {
        items.push({text: d.title || d.name, kind: d.kind || '', code: '', count: null,
                    href: window.ckan.url(d.url || ('/dataset/' + d.name), true), type: 'dataset'});
      });
      this.items = items;
      this.list.empty();
      this.setActive(-1);
      if (!items.length) { this.hide(); this.status.text(this._('No suggestions')); return; }
      var listId = this.list.attr('id');
      var list = this.list;
      $.each(items, function (i, item) {
        var li = $('<li role="option" aria-selected="false"></li>')
          .attr({'id': listId + '-' + i, 'data-href': item.href})
          .addClass('citizendata-suggest-' + item.type);
        li.append($('<span class="citizendata-suggest-label" dir="auto"></span>').text(item.text));
        var detail = $('<span class="citizendata-suggest-detail"></span>');
        detail.append($('<span class="citizendata-suggest-kind"></span>').text(item.kind));
        if (item.code) { detail.append(' ', $('<bdi class="citizendata-suggest-code"></bdi>').text(item.code)); }
        if (item.count !== null) {
          detail.append(' ', $('<span class="citizendata-suggest-count"></span>').text(
            self.ngettext('%(num)d record', '%(num)d records', item.count)));
        }
        li.append(detail);
        list.append(li);
      });
      this.list.prop('hidden', false);
      this.input.attr('aria-expanded', 'true');
      this.status.text(this.ngettext('%(num)d suggestion', '%(num)d suggestions', items.length));
    },

    setActive: function (index) {
      var options = this.list.children('li');
      this.active = index;
      options.removeClass('active').attr('aria-selected', 'false');
      if (index < 0) { this.input.removeAttr('aria-activedescendant'); return; }
      var option = options.eq(index).addClass('active').attr('aria-selected', 'true');
      this.input.attr('aria-activedescendant', option.attr('id'));
      if (option[0] && option[0].scrollIntoView) { option[0].scrollIntoView({block: 'nearest'}); }
    },

    choose: function (index) {
      var item = this.items[index];
      if (item) { window.location.href = item.href; }
    },

    hide: function () {
      this.list.prop('hidden', true).empty();
      this.input.attr('aria-expanded', 'false');
      this.items = [];
      this.setActive(-1);
    },

    _onKeydown: function (event) {
      var count = this.list.children('li').length;
      if (this.list.prop('hidden') || !count) { return; }
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        var step = event.key === 'ArrowDown' ? 1 : -1;
        this.setActive((this.active + step + count + (this.active < 0 && step < 0 ? 1 : 0)) % count);
      } else if (event.key === 'Enter' && this.active >= 0) {
        event.preventDefault();
        this.choose(this.active);
      } else if (event.key === 'Escape') {
        event.preventDefault();
        this.hide();
      }
    },

    _onChoose: function (event) {
      event.preventDefault();  // keep the focus in the input; the choice navigates
      this.choose($(event.currentTarget).index());
    },

    _onBlur: function () {
      var self = this;
      setTimeout(function () { self.hide(); }, 150);
    }
  };
});
