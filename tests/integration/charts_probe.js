// charts_probe.js - injected by the charts tests into a copy of a report before headless
// Chromium loads it with --dump-dom: measures the page in the browser and writes what it
// found into a pre element (id omb-probe, and omb-probe-png) for the test to read.
//   TEXTS n SMALL k ...  every chart text (font-size x the SVG's scale on screen) and every
//                        table/list/button text, k of them under 12 CSS px (listed)
//   COLUMNS c            distinct left edges of the charts: the grid's column count
//   EXPORTS n BAD k ...  ombChartSVG() of every chart: k are not a well-formed standalone
//                        SVG with inline styles, the chart's title, legend and paths
//   BUTTONS n            export buttons on the charts
//   SAVED name scheme    what the first chart's SVG button saves (a blob: link)
//   PNG type bytes WxH ink=share blue=pixels    ombChartPNG() of the first chart, decoded
(function () {
  'use strict';
  var MIN_PX = 12, out = [];
  var small = [], n = 0;
  document.querySelectorAll('svg.chart text').forEach(function (t) {
    var m = t.getScreenCTM(), k = Math.hypot(m.a, m.b);
    var px = parseFloat(getComputedStyle(t).fontSize) * k;
    n++;
    if (!(px >= MIN_PX)) small.push('"' + t.textContent.slice(0, 24) + '" ' + px.toFixed(2) + 'px');
  });
  document.querySelectorAll('td, th, caption, li, p, h1, h2, button').forEach(function (e) {
    var px = parseFloat(getComputedStyle(e).fontSize);
    n++;
    if (!(px >= MIN_PX)) small.push(e.localName + ' "' + e.textContent.slice(0, 24) + '" ' + px + 'px');
  });
  out.push('TEXTS ' + n + ' SMALL ' + small.length + (small.length ? ' ' + small.slice(0, 5).join(' | ') : ''));

  var lefts = {};
  document.querySelectorAll('figure.chart-box').forEach(function (f) {
    lefts[Math.round(f.getBoundingClientRect().left)] = 1;
  });
  out.push('COLUMNS ' + Object.keys(lefts).length);

  function escText(s) { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function every(list, fn) { return Array.prototype.every.call(list, fn); }
  var bad = [], svgs = document.querySelectorAll('svg.chart');
  svgs.forEach(function (svg, i) {
    var title = svg.querySelector('text.title').textContent, why = '', s = '';
    try { s = window.ombChartSVG(svg); } catch (e) { why = 'ombChartSVG threw ' + e.message; }
    var d = new DOMParser().parseFromString(s, 'image/svg+xml'), r = d.documentElement;
    var texts = r.querySelectorAll('text');
    if (why) {
    } else if (d.getElementsByTagName('parsererror').length) why = 'not well-formed XML';
    else if (!/^<\?xml /.test(s)) why = 'no XML declaration';
    else if (r.localName !== 'svg' || r.namespaceURI !== svg.namespaceURI) why = 'the root is not an SVG element';
    else if (!(parseFloat(r.getAttribute('width')) > 0 && parseFloat(r.getAttribute('height')) > 0)) why = 'no width/height';
    else if (r.querySelector('[class]')) why = 'class attributes left (styles not inline)';
    else if (!Array.prototype.some.call(texts, function (t) { return t.textContent === title; })) why = 'the title is missing';
    else if (r.querySelectorAll('path[d]').length !== svg.querySelectorAll('path[d]').length ||
             r.querySelectorAll('path[d]').length < 1) why = 'paths missing';
    else if (!every(texts, function (t) {
      var st = t.getAttribute('style') || '', m = /font-size:\s*([0-9.]+)px/.exec(st);
      return m && parseFloat(m[1]) >= MIN_PX && /font-family:\s*sans-serif/.test(st);
    })) why = 'a text without an inline font-size >= ' + MIN_PX + 'px in a generic family';
    else if (!every(svg.querySelectorAll('.legend text'), function (t) {
      return s.indexOf('>' + escText(t.textContent) + '<') >= 0;
    })) why = 'the legend is missing';
    if (why) bad.push(i + ' "' + title + '": ' + why);
  });
  out.push('EXPORTS ' + svgs.length + ' BAD ' + bad.length + (bad.length ? ' ' + bad.slice(0, 3).join(' | ') : ''));
  var buttons = document.querySelectorAll('figure.chart-box .export button');
  out.push('BUTTONS ' + buttons.length);
  // The first chart's SVG button saves a file of the chart's name: the click on the link
  // it makes is caught here (headless Chromium saves nothing anyway).
  var saved = [], click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () { saved.push(this.download + ' ' + this.href.split(':')[0]); };
  if (buttons.length) buttons[0].click();
  HTMLAnchorElement.prototype.click = click;
  out.push('SAVED ' + (saved.join(', ') || 'nothing'));
  var pre = document.createElement('pre');
  pre.id = 'omb-probe';
  pre.textContent = out.join('\n');
  document.body.appendChild(pre);

  // Virtual time (--virtual-time-budget) runs ahead of image decoding: a chain of short
  // timers (at most 100 s of virtual time, under the 120 s budget) keeps the page busy in
  // real time until the PNG is done.
  var done = false, ticks = 0;
  (function spin() { if (!done && ++ticks < 100000) setTimeout(spin, 1); })();
  function report(text) {
    var p = document.createElement('pre');
    p.id = 'omb-probe-png';
    p.textContent = text;
    document.body.appendChild(p);
    done = true;
  }
  if (!window.ombChartPNG || !svgs.length) return report('PNG none');
  // A chart whose lines stand clear of the axes: the first one is publish latency, which on
  // a quiet machine is a flat line at 0 on the loopback, hidden under the x axis.
  var pngSvg = Array.prototype.filter.call(svgs, function (s) {
    return Array.prototype.some.call(s.querySelectorAll('text'), function (t) {
      return t.textContent === 'Publish rate';
    });
  })[0] || svgs[0];
  window.ombChartPNG(pngSvg, 2).then(function (b) {
    return createImageBitmap(b).then(function (im) {
      var cv = document.createElement('canvas');
      cv.width = im.width;
      cv.height = im.height;
      var g = cv.getContext('2d');
      g.drawImage(im, 0, 0);
      var px = g.getImageData(0, 0, im.width, im.height).data, ink = 0, blue = 0;
      for (var i = 0; i < px.length; i += 4) {
        if (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240) ink++;
        if (Math.abs(px[i] - 0x1f) < 30 && Math.abs(px[i + 1] - 0x77) < 30 && Math.abs(px[i + 2] - 0xb4) < 30) blue++;
      }
      report('PNG ' + b.type + ' ' + b.size + ' ' + im.width + 'x' + im.height +
             ' ink=' + (ink / (px.length / 4)).toFixed(4) + ' blue=' + blue);
    });
  }).catch(function (e) { report('PNG failed: ' + e.message); });
})();
