// Draws the charts of a loadspec HTML report with uPlot. Reads only the JSON data block of the
// page (never HTML), so no text from a server is ever parsed as markup.
;(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('loadspec-data').textContent)
  var COLORS = { p50: '#2f7ed8', p95: '#f28f43', p99: '#c42525', max: '#999999', rps: '#2f7ed8', errors: '#c42525', vus: '#4d9a4d', vusMax: '#a0c8a0' }

  /** uPlot plugin: vertical phase lines with labels, horizontal threshold lines. */
  function markers(phases, limits) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx
          ctx.save()
          ctx.font = Math.round(10 * devicePixelRatio) + 'px sans-serif'
          ctx.lineWidth = devicePixelRatio
          phases.forEach(function (p) {
            var x = u.valToPos(p.t, 'x', true)
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return
            ctx.strokeStyle = '#7a5cc4'
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio])
            ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke()
            ctx.fillStyle = '#7a5cc4'
            ctx.fillText(p.label, x + 3 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio)
          })
          limits.forEach(function (l) {
            var y = u.valToPos(l.value, 'y', true)
            if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return
            ctx.strokeStyle = l.ok ? '#4d9a4d' : '#c42525'
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio])
            ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke()
            ctx.fillStyle = ctx.strokeStyle
            ctx.fillText(l.label, u.bbox.left + 4 * devicePixelRatio, y - 3 * devicePixelRatio)
          })
          ctx.restore()
        }],
      },
    }
  }

  function chart(el, block, title, unit, series, withLimits) {
    var width = Math.max(320, el.clientWidth || 600)
    var opts = {
      title: title, width: width, height: 220,
      plugins: [markers(block.phases, withLimits ? block.limits : [])],
      // Seconds from the start; a run shorter than two seconds still gets a readable axis.
      scales: { x: { time: false, range: function (u, min, max) { return [0, Math.max(max, 1)] } } },
      axes: [{ label: 'seconds' }, { label: unit }],
      series: [{ label: 's' }].concat(series.map(function (s) {
        // With one or two seconds of data a line has nothing to join: show the points.
        return { label: s.label, stroke: COLORS[s.key], width: 1.5, points: { show: block.t.length < 3 } }
      })),
    }
    var columns = [block.t].concat(series.map(function (s) { return block.series[s.key] }))
    return new uPlot(opts, columns, el)
  }

  var drawn = 0
  data.blocks.forEach(function (block, i) {
    var root = document.getElementById('charts-' + i)
    if (!root || block.t.length === 0) return
    var lat = block.latencyMetric
    var made = [
      chart(root.querySelector('[data-chart=latency]'), block, 'latency (' + lat + ')', 'ms',
        [{ key: 'p50', label: 'p50' }, { key: 'p95', label: 'p95' }, { key: 'p99', label: 'p99' }, { key: 'max', label: 'max' }], true),
      chart(root.querySelector('[data-chart=rps]'), block, 'requests per second', 'req/s', [{ key: 'rps', label: 'requests/s' }], false),
      chart(root.querySelector('[data-chart=errors]'), block, 'errors per second', 'errors/s', [{ key: 'errors', label: 'errors/s' }], false),
      chart(root.querySelector('[data-chart=vus]'), block, 'virtual users', 'VUs', [{ key: 'vus', label: 'active' }, { key: 'vusMax', label: 'allocated' }], false),
    ]
    drawn += made.length
  })
  // A signal for tests and scripts that the page finished drawing.
  document.body.setAttribute('data-charts', String(drawn))
})()
