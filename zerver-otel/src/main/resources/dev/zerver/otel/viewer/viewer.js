// The Zerver trace viewer: three views over the read-only JSON API of the same server.
'use strict';

const $ = (id) => document.getElementById(id);
let timer = null;
let shownLatest = -1;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function ms(v) { return v == null ? '—' : (v < 10 ? v.toFixed(2) : v.toFixed(1)) + ' ms'; }

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(await r.text());
  return r.json();
}

function show(view) {
  for (const id of ['requests-view', 'routes-view', 'trace-view']) $(id).hidden = id !== view;
}

// ---- recent requests, live ----

function filterQuery() {
  const q = new URLSearchParams();
  if ($('filter-route').value) q.set('route', $('filter-route').value);
  if ($('filter-status').value) q.set('status', $('filter-status').value);
  if ($('filter-min').value) q.set('min_ms', $('filter-min').value);
  return q;
}

let asked = 0;
let shownQuery = null;

async function refreshRequests(force) {
  const query = filterQuery().toString();
  const mine = ++asked;
  const data = await getJson('/api/requests?' + query);
  if (mine !== asked) return; // a newer request (other filters) was sent meanwhile: its answer wins
  $('live').textContent = 'live · ' + new Date().toLocaleTimeString();
  if (!force && data.latest === shownLatest && query === shownQuery) return;
  shownLatest = data.latest;
  shownQuery = query;
  const body = $('requests').tBodies[0];
  body.replaceChildren(...data.requests.map((r) => {
    const marks = el('td', {});
    if (r.error) marks.append(el('span', { class: 'mark error' }, 'error'));
    if (r.promoted) marks.append(el('span', { class: 'mark promoted' }, 'promoted'));
    return el('tr', { 'data-trace': r.traceId, onclick: () => { location.hash = '#/trace/' + r.traceId; } },
      el('td', {}, new Date(r.startEpochMs).toLocaleTimeString()), el('td', {}, r.method), el('td', { class: 'route' }, r.route),
      el('td', { class: 'status' }, r.status), el('td', { class: 'num duration' }, ms(r.durationMs)), marks, el('td', {}, r.sampling));
  }));
}

async function fillRouteFilter() {
  const data = await getJson('/api/routes');
  const select = $('filter-route');
  const current = select.value;
  const names = data.routes.map((r) => r.route);
  select.replaceChildren(el('option', { value: '' }, 'all'), ...names.map((n) => el('option', { value: n }, n)));
  select.value = names.includes(current) ? current : '';
}

// ---- routes ----

async function showRoutes() {
  const data = await getJson('/api/routes');
  $('routes').tBodies[0].replaceChildren(...data.routes.map((r) => el('tr', {},
    el('td', { class: 'route' }, r.route), el('td', { class: 'num' }, r.count),
    el('td', { class: 'num' }, r.failed + ' (' + (100 * r.errorRate).toFixed(1) + '%)'),
    el('td', { class: 'num' }, ms(r.p50Ms)), el('td', { class: 'num' }, ms(r.p95Ms)), el('td', { class: 'num' }, ms(r.p99Ms)),
    el('td', {}, ...r.slowest.map((s) => el('a', { href: '#/trace/' + s.traceId, class: 'slow' }, ms(s.durationMs) + ' (' + s.status + ') '))))));
}

// ---- one trace ----

const LEGEND = [['queue', 'queued'], ['dispatch', 'dispatch'], ['run', 'running'], ['park cause-io_wait', 'parked: io_wait'],
  ['park cause-backpressure', 'parked: backpressure'], ['park cause-timer', 'parked: timer'], ['park', 'parked: other']];

async function showTrace(id) {
  const t = await getJson('/api/traces/' + id);
  $('summary').textContent = t.summary;
  $('trace-id').textContent = 'trace ' + t.traceId + ' · ' + ms(t.durationMs);
  $('download').href = '/api/traces/' + id + '/otlp.json';
  $('legend').replaceChildren(...LEGEND.map(([c, text]) => el('span', {}, el('i', { class: 'seg ' + c }), text)));
  const scale = (v) => (t.durationMs > 0 ? (100 * v) / t.durationMs : 0) + '%';
  $('details').replaceChildren();
  $('waterfall').replaceChildren(...t.spans.map((s) => {
    const track = el('div', { class: 'track' });
    const bar = el('div', { class: 'bar status-' + s.status, title: s.label + ': ' + ms(s.endMs - s.startMs) });
    bar.style.left = scale(s.startMs);
    bar.style.width = scale(s.endMs - s.startMs);
    track.append(bar);
    for (const g of s.segments) {
      const seg = el('div', { class: 'seg ' + g.kind + (g.cause ? ' cause-' + g.cause : ''), title: g.label + ': ' + ms(g.endMs - g.startMs) });
      seg.style.left = scale(g.startMs);
      seg.style.width = scale(g.endMs - g.startMs);
      track.append(seg);
    }
    const time = el('span', { class: 'time' }, ms(s.endMs - s.startMs));
    const endPct = t.durationMs > 0 ? (100 * s.endMs) / t.durationMs : 0;
    if (endPct > 85) time.style.right = 'calc(' + (100 - endPct) + '% + 4px)'; // inside the bar's end, not past the edge
    else time.style.left = 'calc(' + endPct + '% + 4px)';
    if (endPct > 85) time.classList.add('inside');
    track.append(time);
    const label = el('div', { class: 'label', title: s.service + ' · ' + s.label }, s.label);
    label.style.paddingLeft = (0.3 + s.depth * 1.1) + 'em';
    const row = el('div', { class: 'row' + (s.promoted ? ' promoted' : ''), 'data-span': s.spanId, 'data-name': s.name }, label, track);
    row.addEventListener('click', () => {
      document.querySelectorAll('.row.selected').forEach((r) => r.classList.remove('selected'));
      row.classList.add('selected');
      showDetails(s);
    });
    return row;
  }));
}

function showDetails(s) {
  const attrs = Object.entries(s.attributes).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, JSON.stringify(v))));
  const events = s.events.map((e) => el('tr', {}, el('td', {}, ms(e.atMs) + ' ' + e.name),
    el('td', {}, Object.entries(e.attributes).map(([k, v]) => k + '=' + JSON.stringify(v)).join(' '))));
  $('details').replaceChildren(el('h3', {}, s.label + ' (' + s.kind + ', ' + s.status + ', ' + s.service + ')'),
    el('table', { class: 'attributes' }, el('tbody', {}, ...attrs)),
    events.length ? el('h4', {}, 'Events') : '', events.length ? el('table', { class: 'events' }, el('tbody', {}, ...events)) : '');
}

// ---- routing between views ----

async function route() {
  clearInterval(timer);
  const hash = location.hash || '#/';
  try {
    if (hash.startsWith('#/trace/')) {
      show('trace-view');
      $('live').textContent = '';
      await showTrace(hash.slice('#/trace/'.length));
    } else if (hash === '#/routes') {
      show('routes-view');
      await showRoutes();
      timer = setInterval(showRoutes, 2000);
    } else {
      show('requests-view');
      await fillRouteFilter();
      await refreshRequests(true);
      timer = setInterval(() => refreshRequests(false), 1000);
    }
  } catch (e) {
    $('live').textContent = 'error: ' + e.message;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  for (const id of ['filter-route', 'filter-status', 'filter-min']) {
    for (const type of ['input', 'change']) $(id).addEventListener(type, () => refreshRequests(true));
  }
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  window.addEventListener('hashchange', route);
  route();
});
