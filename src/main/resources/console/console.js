// git-warden console: live updates by server-sent events. No framework, no external script.
(function () {
  'use strict';
  var url = document.body.getAttribute('data-live');
  var page = document.body.getAttribute('data-page');
  if (!url || !window.EventSource) {
    return;
  }
  var status = document.getElementById('live-status');
  var source = new EventSource(url);
  source.onopen = function () { if (status) { status.classList.add('on'); } };
  source.onerror = function () { if (status) { status.classList.remove('on'); } };
  source.addEventListener('audit', function (message) {
    var event = JSON.parse(message.data);
    if (page === 'sessions') {
      sessionUpdate(event);
    }
    else {
      prependEvent(event);
    }
  });

  function cell(text, className) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    if (className) {
      td.className = className;
    }
    return td;
  }

  function bump(row, selector) {
    var td = row.querySelector(selector);
    if (td) {
      td.textContent = String(Number(td.textContent) + 1);
    }
  }

  function sessionUpdate(event) {
    if (!event.session) {
      return;
    }
    var rows = document.querySelectorAll('#sessions tbody tr[data-session]');
    var row = null;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('data-session') === event.session) {
        row = rows[i];
      }
    }
    if (!row) {
      var notice = document.getElementById('live-notice');
      if (notice) {
        notice.hidden = false;
        notice.textContent = 'New activity from session ' + event.session + ' (reload to see it).';
      }
      return;
    }
    bump(row, 'td.requests');
    if (event.operation === 'fetch') { bump(row, 'td.fetches'); }
    if (event.operation === 'push') { bump(row, 'td.pushes'); }
    if (event.decision === 'denied') { bump(row, 'td.denials'); }
    var last = row.querySelector('td.last-seen');
    if (last) { last.textContent = 'just now'; }
    row.classList.remove('fresh');
    void row.offsetWidth;
    row.classList.add('fresh');
  }

  function prependEvent(event) {
    var body = document.querySelector('#events tbody');
    if (!body) {
      return;
    }
    var empty = body.querySelector('tr.empty');
    if (empty) {
      body.removeChild(empty);
    }
    var row = document.createElement('tr');
    row.className = 'fresh ' + (event.decision || '');
    var columns = body.parentNode.querySelectorAll('thead th').length;
    row.appendChild(cell((event.time || '').replace('T', ' ').replace(/\.\d+Z$/, 'Z')));
    if (columns === 6) {
      row.appendChild(cell(event.session));
      row.appendChild(cell(event.operation));
      row.appendChild(cell(event.repo));
      row.appendChild(cell((event.reasonMessage || '') + (event.reasonCode ? ' [' + event.reasonCode + ']' : '')));
      row.appendChild(cell((event.refs || []).join(' ')));
    }
    else {
      row.appendChild(cell((event.operation || '') + ' ' + event.status));
      row.appendChild(cell(event.repo));
      row.appendChild(cell(event.decision, 'decision ' + (event.decision || '')));
      row.appendChild(cell(((event.refs || []).join(' ') + ' ' + (event.reasonMessage || '')).trim()));
    }
    body.insertBefore(row, body.firstChild);
  }
}());
