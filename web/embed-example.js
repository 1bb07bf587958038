// The example documentation page's own script (web/embed-example.html): it logs what the
// embeds report and drives one of them from buttons of its own.
// Everything the embeds report, in order, for the reader (and the browser tests).
window.events = [];
var list = document.getElementById('events');
var last = {};
// Every embed's events bubble to the document as 'splitbrain' DOM events.
document.addEventListener('splitbrain', function (e) {
  var msg = e.detail;
  window.events.push(msg);
  if (msg.type === 'state') { last[msg.id] = msg; return; }
  if (msg.type === 'resize') return;
  var li = document.createElement('li');
  li.textContent = msg.id + ': ' + msg.type + ' ' + JSON.stringify(msg, function (k, v) {
    return k === 'splitbrain' || k === 'id' || k === 'type' ? undefined : v;
  });
  list.appendChild(li);
  list.scrollTop = list.scrollHeight;
});
var split = Splitbrain.player('#partition');
document.getElementById('isolate-leader').onclick = function () {
  var s = last.partition && last.partition.summary;
  var leader = s && s.leaders && s.leaders[0];
  if (leader) split.isolate(leader.node);
};
document.getElementById('heal').onclick = function () { split.heal(); };
document.getElementById('pause').onclick = function () { split.pause(); };
document.getElementById('play').onclick = function () { split.play(); };
document.getElementById('seek').onclick = function () { split.seek('2s'); };
document.getElementById('crash').onclick = function () { split.crash(0); };
document.getElementById('add').onclick = function () { Splitbrain.player('#hashing').request('add'); };
