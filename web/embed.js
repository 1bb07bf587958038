/* Splitbrain embed snippet: puts a live, seeded lab into any page.
 *
 *   <script src="https://…/embed.js" data-lab="raft" data-seed="3" async></script>
 *   <div data-splitbrain data-lab="hashing" data-controls="play,request"></div>
 *
 * Each becomes an iframe of the Splitbrain app in embed mode, loaded when it scrolls into view
 * and sized to its content. `Splitbrain.player(el)` gives a small API over the documented
 * postMessage schema (protocol 1, see the README): play(), pause(), seek(t), on(type, f), …
 * The frame's options (data-lab, data-seed, data-controls, data-param.x, …; see the README)
 * are passed as URL parameters, other data- attributes are left alone; the snippet's own are
 * data-height (before the frame reports its size), data-title, data-base (where the app
 * lives), data-id and data-lazy="false".
 *
 * data-theme="host" makes the frame follow the page's own light/dark switch: mdBook's class on
 * <html> (light, rust | coal, navy, ayu), Docusaurus's data-theme on <html>, a "dark" or
 * "light" class (VitePress, Tailwind), or else the system's setting. It is the default when the
 * page declares a theme that way. Other tools call Splitbrain.theme('dark') on their switch.
 */
(function () {
  'use strict';
  var PROTOCOL = 1;
  if (window.Splitbrain && window.Splitbrain.protocol === PROTOCOL) {
    // Loaded twice (two script tags): the first copy upgrades this tag too.
    window.Splitbrain.scan(document.currentScript);
    return;
  }
  // Which page of the site runs each lab: the site is one page per group of labs. Mirrors
  // BUNDLES in crates/app/src/bundles.rs (a browser test loads every lab through this table).
  var PAGES = { raft: '', broadcast: 'broadcast/', paxos: 'paxos/', hashing: 'hashing/', balance: 'balance/' };
  // What the frame reads (lab and id are set separately); `param.<name>` too.
  var OPTIONS = ['run', 'seed', 'nodes', 'latency', 't', 'speed', 'autoplay', 'until', 'loop',
    'controls', 'panels', 'theme', 'slo', 'tour', 'step'];
  // mdBook's themes by name, light or dark.
  var MDBOOK = { light: 'light', rust: 'light', coal: 'dark', navy: 'dark', ayu: 'dark' };
  var here = document.currentScript;
  var BASE = new URL('./', here && here.src ? here.src : location.href);
  var count = 0;
  var players = [];

  function labOf(opts) {
    if (opts.lab) return opts.lab;
    // A tour is named like its lab.
    if (opts.tour) return opts.tour;
    try { return JSON.parse(opts.run).lab; } catch (e) { return 'raft'; }
  }

  /** The options an element carries: its data- attributes, names kept as written. */
  function optionsOf(el) {
    var opts = {};
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (a.name.indexOf('data-') === 0) opts[a.name.slice(5)] = a.value;
    }
    return opts;
  }

  /** The theme the page itself shows ('light' or 'dark'), or null when it declares none. */
  function hostTheme() {
    var root = document.documentElement;
    var attr = root.getAttribute('data-theme');
    if (attr === 'light' || attr === 'dark') return attr;
    for (var i = 0; i < root.classList.length; i++) {
      var c = root.classList[i];
      if (Object.prototype.hasOwnProperty.call(MDBOOK, c)) return MDBOOK[c];
      if (c === 'dark') return 'dark';
    }
    return null;
  }

  /** Tells every frame that follows the page its theme, when the page switches. */
  var watching = null;
  function followHost() {
    if (watching || !('MutationObserver' in window)) return;
    var last = hostTheme();
    watching = new MutationObserver(function () {
      var now = hostTheme();
      if (now === last) return;
      last = now;
      for (var i = 0; i < players.length; i++) {
        if (players[i].followsHost) players[i].theme(now || 'auto');
      }
    });
    watching.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'data-theme'] });
  }

  function Player(container, opts) {
    var lab = labOf(opts);
    // Follow the page's theme when asked, or when the page declares one and the embed does not.
    this.followsHost = opts.theme === 'host' || (!opts.theme && hostTheme() !== null);
    if (this.followsHost) {
      opts = Object.assign({}, opts, { theme: hostTheme() || 'auto' });
      followHost();
    }
    this.id = opts.id || 'sb-' + (++count);
    this.lab = lab;
    this.listeners = {};
    this.queue = [];
    this.ready = false;
    var base = opts.base ? new URL(opts.base, location.href) : BASE;
    var url = new URL(PAGES[lab] || '', base);
    url.searchParams.set('embed', '1');
    if (!opts.run) url.searchParams.set('lab', lab);
    for (var k in opts) {
      if (OPTIONS.indexOf(k) >= 0 || k.indexOf('param.') === 0) url.searchParams.set(k, String(opts[k]));
    }
    url.searchParams.set('id', this.id);
    // The frame then obeys this page only and sends its events only here.
    if (location.origin && location.origin !== 'null') url.searchParams.set('origin', location.origin);
    this.origin = url.origin;
    this.src = url.href;
    var frame = document.createElement('iframe');
    frame.title = opts.title || 'Splitbrain ' + lab + ' lab: a live simulation';
    frame.setAttribute('loading', 'lazy');
    frame.style.cssText = 'display:block;width:100%;border:0;border-radius:8px;height:' +
      (parseInt(opts.height, 10) || 480) + 'px';
    this.frame = frame;
    this.element = container;
    container.setAttribute('data-splitbrain-id', this.id);
    container.splitbrain = this;
    container.appendChild(frame);
    var self = this;
    var load = function () { if (!frame.src) frame.src = self.src; };
    if (opts.lazy === 'false' || !('IntersectionObserver' in window)) {
      load();
    } else {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); load(); }
      }, { rootMargin: '200px' });
      seen.observe(container);
      this.seen = seen;
    }
  }

  Player.prototype.on = function (type, f) {
    (this.listeners[type] = this.listeners[type] || []).push(f);
    return this;
  };
  Player.prototype.off = function (type, f) {
    this.listeners[type] = (this.listeners[type] || []).filter(function (g) { return g !== f; });
    return this;
  };
  /** Sends a command; commands sent before the frame is ready wait for it. */
  Player.prototype.send = function (type, fields) {
    var msg = Object.assign({ splitbrain: PROTOCOL, type: type }, fields || {});
    var target = this.frame.contentWindow;
    if (this.ready && target) target.postMessage(msg, this.origin);
    else if (!this.ready) this.queue.push(msg);
    return this;
  };
  /** Removes the frame and forgets the player (single-page docs sites, on navigation). */
  Player.prototype.destroy = function () {
    if (this.seen) this.seen.disconnect();
    if (this.frame.parentNode) this.frame.parentNode.removeChild(this.frame);
    delete this.element.splitbrain;
    this.element.removeAttribute('data-splitbrain-id');
    var i = players.indexOf(this);
    if (i >= 0) players.splice(i, 1);
    this.listeners = {};
    this.queue = [];
  };
  var commands = {
    play: [], pause: [], step: [], reset: [], heal: [], getState: [],
    seek: ['t'], speed: ['speed'], crash: ['node'], restart: ['node'], isolate: ['node'],
    partition: ['groups'], loadRun: ['run'], request: ['command', 'node'], theme: ['theme'],
  };
  Object.keys(commands).forEach(function (name) {
    var type = name.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); });
    Player.prototype[name] = function () {
      var fields = {};
      for (var i = 0; i < commands[name].length; i++) {
        if (arguments[i] !== undefined) fields[commands[name][i]] = arguments[i];
      }
      return this.send(type, fields);
    };
  });

  Player.prototype.receive = function (msg) {
    if (msg.type === 'resize' && msg.height > 0) this.frame.style.height = Math.ceil(msg.height) + 'px';
    if (msg.type === 'ready') {
      this.ready = true;
      var q = this.queue;
      this.queue = [];
      for (var i = 0; i < q.length; i++) this.frame.contentWindow.postMessage(q[i], this.origin);
    }
    var fs = (this.listeners[msg.type] || []).concat(this.listeners['*'] || []);
    for (var j = 0; j < fs.length; j++) {
      try { fs[j](msg, this); } catch (e) { console.error(e); }
    }
    // Also as DOM events that bubble, for pages that listen on document: 'splitbrain' for
    // every event and 'splitbrain:<type>' for one type.
    this.element.dispatchEvent(new CustomEvent('splitbrain', { detail: msg, bubbles: true }));
    this.element.dispatchEvent(new CustomEvent('splitbrain:' + msg.type, { detail: msg, bubbles: true }));
  };

  window.addEventListener('message', function (e) {
    var msg = e.data;
    if (!msg || msg.splitbrain !== PROTOCOL || typeof msg.type !== 'string') return;
    for (var i = 0; i < players.length; i++) {
      var p = players[i];
      if (p.frame.contentWindow !== e.source) continue;
      if (e.origin === p.origin) return p.receive(msg);
      // The frame was redirected (http to https, another host): say so once instead of
      // dropping every event in silence.
      if (!p.warned) {
        p.warned = true;
        console.warn('splitbrain: ignoring events from ' + e.origin + ': the embed was loaded from ' +
          p.origin + '; set data-base to the address the app is served from');
      }
      return;
    }
  });

  /** Makes an embed inside `container` (an element or a selector) with these options. */
  function embed(container, opts) {
    if (typeof container === 'string') container = document.querySelector(container);
    if (container.splitbrain) return container.splitbrain;
    var p = new Player(container, opts || {});
    players.push(p);
    return p;
  }

  /** Upgrades a snippet script tag and every `<div data-splitbrain>` not yet upgraded. */
  function scan(script) {
    if (script && (script.hasAttribute('data-lab') || script.hasAttribute('data-run')) && !script.splitbrainDone) {
      script.splitbrainDone = true;
      var div = document.createElement('div');
      div.className = 'splitbrain-embed';
      script.parentNode.insertBefore(div, script.nextSibling);
      embed(div, optionsOf(script));
    }
    var divs = document.querySelectorAll('[data-splitbrain]:not([data-splitbrain-id])');
    for (var i = 0; i < divs.length; i++) embed(divs[i], optionsOf(divs[i]));
  }

  window.Splitbrain = {
    protocol: PROTOCOL,
    players: players,
    embed: embed,
    scan: scan,
    /** Sets every frame's theme ('light', 'dark' or 'auto'), for tools with their own switch. */
    theme: function (name) {
      for (var i = 0; i < players.length; i++) players[i].theme(name);
    },
    /** The page's own theme as the snippet reads it ('light', 'dark' or null). */
    hostTheme: hostTheme,
    /** The player of an upgraded element (or selector). */
    player: function (el) {
      if (typeof el === 'string') el = document.querySelector(el);
      return el && el.splitbrain;
    },
  };
  // Single-page docs sites (Docusaurus, VitePress) swap the article without reloading: embeds
  // that appear are upgraded, and those taken away are destroyed with their frames.
  function watchPage() {
    if (!('MutationObserver' in window) || !document.body) return;
    new MutationObserver(function () {
      for (var i = players.length - 1; i >= 0; i--) {
        // Only once it was in the page: an element made by script may be attached later.
        var p = players[i];
        if (p.element.isConnected) p.wasConnected = true;
        else if (p.wasConnected) p.destroy();
      }
      if (document.querySelector('[data-splitbrain]:not([data-splitbrain-id])')) scan();
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === 'loading') {
    scan(here);
    document.addEventListener('DOMContentLoaded', function () { scan(); watchPage(); });
  } else {
    scan(here);
    watchPage();
  }
})();
