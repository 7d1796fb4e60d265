/* Dashboard charts drawn with Chart.js (vendor/chartjs, shipped through webassets: no CDN) from the data
 * table inside the same figure, so the chart and its accessible table always show the same figures.
 * The first column names the bars; every further column is one series.
 *
 * A first cell's data-chart-label, when present, names its bar instead of the cell's text (a short name).
 * Options: kind (bar, doughnut), stacked, horizontal (bars along the inline axis), columns (the data columns
 * drawn, 1-based, comma-separated: "2"; default all), palette ("ladder": one hue, light to dark, for ordered
 * levels; "one": one colour; "pair": two blues). In a right-to-left page the legend and tooltips read right to left and the axes mirror.
 *
 * Usage: <figure data-module="citizendata-chart" data-module-kind="bar" data-module-stacked="true">
 *          <canvas></canvas><table><thead>...</thead><tbody>...</tbody></table></figure>
 */
this.ckan.module('citizendata-chart', function ($) {
  var COLOURS = ['#1b7837', '#5aae61', '#f1a340', '#d7301f', '#9e9e9e', '#2a6fb0', '#8e6bbf'];
  var PALETTES = {ladder: ['#c6dbef', '#9ecae1', '#4292c6', '#2171b5', '#08306b'], one: ['#2171b5'],
                  pair: ['#6baed6', '#08306b']};

  function cellText(cell) { return $.trim($(cell).text()); }

  function rowLabel(row) {
    var first = $(row).children().first();
    return first.attr('data-chart-label') || cellText(first);
  }

  function flag(value) { return value === true || value === 'true'; }

  // the 0-based indexes of the data columns drawn (after the first column), from "2,3" or all of them
  function drawn(option, count) {
    var all = [];
    for (var i = 0; i < count; i++) { all.push(i); }
    if (!option) { return all; }
    return String(option).split(',').map(function (n) { return Number(n) - 1; })
      .filter(function (n) { return n >= 0 && n < count; });
  }

  return {
    options: {kind: 'bar', stacked: false, horizontal: false, columns: '', palette: ''},

    initialize: function () {
      var table = this.el.find('table').first();
      var canvas = this.el.find('canvas').first();
      if (!table.length || !canvas.length || typeof window.Chart === 'undefined') { return; }
      var names = table.find('thead th').slice(1).map(function () { return cellText(this); }).get();
      var columns = drawn(this.options.columns, names.length);
      var rows = table.find('tbody tr');
      var labels = rows.map(function () { return rowLabel(this); }).get();
      var doughnut = this.options.kind === 'doughnut';
      var palette = PALETTES[this.options.palette];
      var perBar = doughnut || (columns.length === 1 && !palette);
      var datasets = columns.map(function (column, i) {
        return {
          label: names[column],
          data: rows.map(function () { return Number(cellText($(this).children().eq(column + 1))) || 0; }).get(),
          backgroundColor: perBar ? COLOURS.slice(0, labels.length) : (palette || COLOURS)[i % (palette || COLOURS).length]
        };
      });
      var stacked = flag(this.options.stacked);
      var horizontal = flag(this.options.horizontal);
      var rtl = document.documentElement.dir === 'rtl';
      var index = {stacked: stacked, reverse: rtl && !horizontal, position: horizontal ? (rtl ? 'right' : 'left') : 'bottom'};
      var value = {stacked: stacked, beginAtZero: true, ticks: {precision: 0}, reverse: rtl && horizontal,
                   position: horizontal ? 'bottom' : (rtl ? 'right' : 'left')};
      this.chart = new window.Chart(canvas[0], {
        type: this.options.kind,
        data: {labels: labels, datasets: datasets},
        options: {
          animation: false,
          maintainAspectRatio: false,
          indexAxis: horizontal ? 'y' : 'x',
          plugins: {legend: {display: doughnut || columns.length > 1, rtl: rtl, textDirection: rtl ? 'rtl' : 'ltr'},
                    tooltip: {rtl: rtl, textDirection: rtl ? 'rtl' : 'ltr'}},
          scales: doughnut ? {} : (horizontal ? {x: value, y: index} : {x: index, y: value})
        }
      });
    }
  };
});
