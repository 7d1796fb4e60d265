/* Dashboard charts drawn with Chart.js (vendor/chartjs, shipped through webassets: no CDN) from the data
 * table inside the same figure, so the chart and its accessible table always show the same figures.
 * The first column names the bars; every further column is one series.
 *
 * Usage: <figure data-module="citizendata-chart" data-module-kind="bar" data-module-stacked="true">
 *          <canvas></canvas><table><thead>...</thead><tbody>...</tbody></table></figure>
 */
this.ckan.module('citizendata-chart', function ($) {
  var COLOURS = ['#1b7837', '#5aae61', '#f1a340', '#d7301f', '#9e9e9e', '#2a6fb0', '#8e6bbf'];

  function cellText(cell) { return $.trim($(cell).text()); }

  return {
    options: {kind: 'bar', stacked: false},

    initialize: function () {
      var table = this.el.find('table').first();
      var canvas = this.el.find('canvas').first();
      if (!table.length || !canvas.length || typeof window.Chart === 'undefined') { return; }
      var series = table.find('thead th').slice(1).map(function () { return cellText(this); }).get();
      var rows = table.find('tbody tr');
      var labels = rows.map(function () { return cellText($(this).children().first()); }).get();
      var doughnut = this.options.kind === 'doughnut';
      var datasets = series.map(function (name, i) {
        return {
          label: name,
          data: rows.map(function () { return Number(cellText($(this).children().eq(i + 1))) || 0; }).get(),
          backgroundColor: (doughnut || series.length === 1) ? COLOURS.slice(0, labels.length) : COLOURS[i % COLOURS.length]
        };
      });
      var stacked = this.options.stacked === true || this.options.stacked === 'true';
      var rtl = document.documentElement.dir === 'rtl';
      this.chart = new window.Chart(canvas[0], {
        type: this.options.kind,
        data: {labels: labels, datasets: datasets},
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: {legend: {display: doughnut || series.length > 1, rtl: rtl}},
          scales: doughnut ? {} : {x: {stacked: stacked, reverse: rtl}, y: {stacked: stacked, beginAtZero: true,
                                   ticks: {precision: 0}, position: rtl ? 'right' : 'left'}}
        }
      });
    }
  };
});
