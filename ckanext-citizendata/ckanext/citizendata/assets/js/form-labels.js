/* Names select2's box after the field's label: select2 draws a role="combobox" box beside the select it hides,
 * and that box has no accessible name (axe: aria-input-field-name). The label of the select (label[for=id])
 * names it, in the page's language.
 *
 * Usage: <select id="field-countries" data-module="autocomplete citizendata-label" ...>
 */
this.ckan.module('citizendata-label', function ($) {
  return {
    initialize: function () {
      var el = this.el;
      var name = $.trim($('label[for="' + el.attr('id') + '"]').first().text()).replace(/:$/, '');
      if (!name) { return; }
      var apply = function () {
        var box = el.next('.select2-container').find('.select2-selection');
        box.attr('aria-label', name);
        box.find('.select2-search__field').attr('aria-label', name);
        return box.length > 0;
      };
      if (!apply()) { window.setTimeout(apply, 0); }
      el.on('change select2:select select2:unselect', function () { window.setTimeout(apply, 0); });
    }
  };
});
