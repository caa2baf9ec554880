// Web chat page: talks to Rasa's socket.io channel (bot.channels.socketio.SocketIOInput).
//
// Safety rule for this file: every piece of text from the customer, the bot or an agent is put into the
// page with textContent / attributes set through the DOM API — never innerHTML — so a message containing
// <script> or markup is shown as the characters it is.
(function () {
  "use strict";

  var SESSION_KEY = "courier.chat.session_id";
  var TRANSCRIPT_PREFIX = "courier.chat.transcript.";
  var MAX_STORED_MESSAGES = 100;
  var TYPING_TIMEOUT_MS = 20000;
  var WELCOME = "您好！我是快递在线客服小助手 😊\n可以帮您查件、寄件报价、预约上门取件、投诉和理赔，也可以随时转人工。请问有什么可以帮您？";

  var messagesEl = document.getElementById("messages");
  var typingEl = document.getElementById("typing");
  var statusEl = document.getElementById("status");
  var statusTextEl = document.getElementById("status-text");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var chips = document.getElementById("chips");
  var newChatButton = document.getElementById("new-chat");

  // Where Rasa listens, as the server says (config.js): never from this page's own URL, or a link could
  // point the page at a stranger's server.
  function rasaUrl() {
    var config = window.COURIER_CHAT_CONFIG || {};
    if (config.rasaUrl && /^https?:\/\/[^\s/]+(\/.*)?$/i.test(config.rasaUrl)) {
      return config.rasaUrl.replace(/\/+$/, "");
    }
    var port = /^\d+$/.test(String(config.rasaPort)) ? String(config.rasaPort) : "5005";
    var host = window.location.hostname || "localhost";
    return window.location.protocol.replace(/^file:$/, "http:") + "//" + host + ":" + port;
  }

  function storedSessionId() {
    try { return window.localStorage.getItem(SESSION_KEY); } catch (e) { return null; }
  }

  function storeSessionId(id) {
    try { window.localStorage.setItem(SESSION_KEY, id); } catch (e) { /* private mode: session lasts the tab */ }
  }

  var sessionId = storedSessionId();
  var transcript = [];

  function transcriptKey() { return TRANSCRIPT_PREFIX + sessionId; }

  function loadTranscript() {
    if (!sessionId) { return []; }
    try {
      var saved = JSON.parse(window.localStorage.getItem(transcriptKey()) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (e) { return []; }
  }

  function saveTranscript() {
    if (!sessionId) { return; }
    transcript = transcript.slice(-MAX_STORED_MESSAGES);
    try { window.localStorage.setItem(transcriptKey(), JSON.stringify(transcript)); } catch (e) { /* full */ }
  }

  // ---- rendering (textContent only) ----

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeImageUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url) ? url : null;
  }

  function scrollToEnd() {
    messagesEl.scrollTop = messagesEl.scrollHeight;
  }

  function timeLabel(ts) {
    var d = new Date(ts);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // entry: {from: "user"|"bot"|"agent"|"notice"|"system", text, buttons:[{title,payload}], image, name, ts, used}
  function render(entry, index) {
    var row = el("div", "row row-" + entry.from);
    row.dataset.from = entry.from;
    var bubble = el("div", "bubble");
    if (entry.from === "agent" || entry.from === "notice") {
      var label = entry.from === "agent" ? "人工客服" + (entry.name ? " · " + entry.name : "") : "包裹通知";
      bubble.appendChild(el("div", "author", label));
    }
    if (entry.text) {
      bubble.appendChild(el("div", "text", entry.text));
    }
    var src = safeImageUrl(entry.image);
    if (src) {
      var img = el("img", "image");
      img.alt = "图片";
      img.loading = "lazy";
      img.src = src;
      img.addEventListener("load", scrollToEnd);
      bubble.appendChild(img);
    }
    if (entry.buttons && entry.buttons.length) {
      bubble.appendChild(renderButtons(entry, index));
    }
    row.appendChild(bubble);
    if (entry.ts) { row.appendChild(el("time", "time", timeLabel(entry.ts))); }
    messagesEl.appendChild(row);
    scrollToEnd();
  }

  function renderButtons(entry, index) {
    var group = el("div", "buttons");
    entry.buttons.forEach(function (button) {
      var b = el("button", "reply-button", button.title);
      b.type = "button";
      b.disabled = Boolean(entry.used);
      b.addEventListener("click", function () {
        if (transcript[index]) { transcript[index].used = true; saveTranscript(); }
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (other) { other.disabled = true; });
        send(button.payload, button.title);
      });
      group.appendChild(b);
    });
    return group;
  }

  function add(entry) {
    entry.ts = entry.ts || Date.now();
    transcript.push(entry);
    saveTranscript();
    render(entry, transcript.length - 1);
  }

  function renderAll() {
    messagesEl.textContent = "";
    transcript.forEach(render);
  }

  // ---- typing indicator ----

  var typingTimer = null;

  function showTyping() {
    typingEl.hidden = false;
    scrollToEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    typingEl.hidden = true;
    clearTimeout(typingTimer);
  }

  // ---- connection ----

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusTextEl.textContent = text;
  }

  var confirmed = false;
  var pending = [];

  var socket = window.io(rasaUrl(), {
    transports: ["websocket", "polling"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 8000,
  });

  socket.on("connect", function () {
    setStatus("online", "在线");
    socket.emit("session_request", { session_id: sessionId });
  });

  socket.on("session_confirm", function (reply) {
    var id = typeof reply === "string" ? reply : reply && reply.session_id;
    if (!id) { return; }
    if (id !== sessionId) {
      // A brand-new page keeps what was typed before the confirmation; a replaced session starts afresh.
      var keep = sessionId === null ? transcript : [];
      sessionId = id;
      storeSessionId(id);
      transcript = loadTranscript().concat(keep);
      saveTranscript();
      renderAll();
    }
    if (!transcript.length) {
      add({ from: "system", text: WELCOME });
    }
    document.body.dataset.session = sessionId;
    confirmed = true;
    flushPending();
  });

  socket.on("disconnect", function () {
    confirmed = false;
    setStatus("offline", "连接已断开，正在重新连接…");
    hideTyping();
  });

  socket.io.on("reconnect_attempt", function (attempt) {
    setStatus("connecting", "正在重新连接…（第 " + attempt + " 次）");
  });

  socket.on("connect_error", function () {
    setStatus("offline", "暂时连不上客服，正在重试…");
  });

  socket.on("bot_uttered", function (message) {
    hideTyping();
    var entry = fromBotMessage(message);
    if (entry) { add(entry); }
  });

  function fromBotMessage(message) {
    if (!message || typeof message !== "object") { return null; }
    var author = message.author && typeof message.author === "object" ? message.author : {};
    var entry = { from: author.role === "agent" || author.role === "notice" ? author.role : "bot" };
    if (typeof author.name === "string") { entry.name = author.name; }
    if (typeof message.text === "string") { entry.text = message.text; }
    var replies = message.quick_replies || message.buttons;
    if (Array.isArray(replies)) {
      entry.buttons = replies.filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      }).map(function (b) { return { title: b.title, payload: b.payload }; });
    }
    var attachment = message.attachment;
    if (attachment && attachment.type === "image" && attachment.payload) {
      entry.image = attachment.payload.src;
    }
    if (!entry.text && message.custom && typeof message.custom.text === "string") {
      entry.text = message.custom.text;
    }
    return entry.text || entry.image || (entry.buttons && entry.buttons.length) ? entry : null;
  }

  // ---- sending ----

  // `shown` is what the customer sees in their bubble (a button's title), `message` what Rasa receives.
  function send(message, shown) {
    var text = String(message || "").trim();
    if (!text) { return; }
    add({ from: "user", text: shown || text });
    showTyping();
    if (confirmed) {
      socket.emit("user_uttered", { message: text, session_id: sessionId });
    } else {
      pending.push(text);  // sent once the server has confirmed which conversation this is
    }
  }

  function flushPending() {
    while (pending.length) {
      socket.emit("user_uttered", { message: pending.shift(), session_id: sessionId });
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    autoGrow();
    send(text);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  function autoGrow() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  input.addEventListener("input", autoGrow);

  chips.addEventListener("click", function (event) {
    var chip = event.target.closest("button[data-text]");
    if (chip) { send(chip.dataset.text); }
  });

  newChatButton.addEventListener("click", function () {
    try { window.localStorage.removeItem(transcriptKey()); } catch (e) { /* ignore */ }
    sessionId = null;
    transcript = [];
    messagesEl.textContent = "";
    try { window.localStorage.removeItem(SESSION_KEY); } catch (e) { /* ignore */ }
    // Reconnecting leaves the old conversation's room; the connect handler then asks for a new session.
    socket.disconnect().connect();
  });

  transcript = loadTranscript();
  renderAll();
  if (sessionId) { document.body.dataset.session = sessionId; }
})();
