// Web chat page: talks to Rasa's socket.io channel (bot.channels.socketio.SocketIOInput).
//
// The page's own words come from /chat/texts.js in Simplified and Traditional (bot/web/texts.json); it shows the
// customer's script, which the server announces after each message (`conversation_state`), and before that the
// browser's language (zh-TW, zh-HK… read Traditional). A tapped button sends its payload (ours, Simplified) with
// the title it showed (`metadata.tapped`), so the server keeps the script of what the customer chose.
// Reply buttons work once: answering them, or newer buttons, disables the older ones.
// A tracking answer may carry a card (custom payload `type: "tracking_card"`, actions/tracking_card.py): status,
// route, timeline, courier and the next steps as buttons. The text reply stays in the log beside it, for screen
// readers and for every client that draws no cards; the card's words arrive in the customer's script.
// Photos (the 📷 button, pasting, dropping) go to the page's own server first (POST /chat/uploads, which checks
// them); the conversation then gets "[图片]" with the held photo's reference in `metadata.image_url`, as a
// WeChat image message carries its PicUrl, so a claim form waiting for photos goes on.
//
// Safety rule for this file: every piece of text from the customer, the bot or an agent is put into the
// page with textContent / attributes set through the DOM API — never innerHTML — so a message containing
// <script> or markup is shown as the characters it is.
(function () {
  "use strict";

  var SESSION_KEY = "courier.chat.session_id";
  // The server's proof that this browser was given the session: without it the id is not resumed.
  var SESSION_TOKEN_KEY = "courier.chat.session_token";
  var TRANSCRIPT_PREFIX = "courier.chat.transcript.";
  var SCRIPT_KEY = "courier.chat.script";
  var WITH_PERSON_PREFIX = "courier.chat.with_person.";
  var MAX_STORED_MESSAGES = 100;
  var TYPING_TIMEOUT_MS = 20000;
  var TEXTS = window.COURIER_CHAT_TEXTS || {};

  var messagesEl = document.getElementById("messages");
  var typingEl = document.getElementById("typing");
  var statusEl = document.getElementById("status");
  var statusTextEl = document.getElementById("status-text");
  var form = document.getElementById("composer");
  var input = document.getElementById("input");
  var chips = document.getElementById("chips");
  var newChatButton = document.getElementById("new-chat");
  var newChatDialog = document.getElementById("new-chat-dialog");
  var chatEl = document.querySelector("main.chat");
  var photoButton = document.getElementById("photo");
  var photoInput = document.getElementById("photo-input");
  var MAX_PHOTOS_AT_ONCE = 5;

  // ---- the page's own words, in the customer's script ----

  function browserScript() {
    var languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < languages.length; i++) {
      var tag = String(languages[i] || "").toLowerCase();
      if (!/^zh\b/.test(tag)) { continue; }
      if (/-(hk|mo)\b/.test(tag)) { return "hk"; }
      if (/-(tw|hant)\b/.test(tag)) { return "tw"; }
      return "simplified";
    }
    return "simplified";
  }

  function storedScript() {
    try { return window.localStorage.getItem(SCRIPT_KEY); } catch (e) { return null; }
  }

  function known(name) { return typeof name === "string" && Object.prototype.hasOwnProperty.call(TEXTS, name); }

  var script = known(storedScript()) ? storedScript() : browserScript();

  function t(key, values) {
    var words = (known(script) ? TEXTS[script] : TEXTS.simplified || {})[key];
    if (typeof words !== "string") { words = (TEXTS.simplified || {})[key] || ""; }
    return words.replace(/\{(\w+)\}/g, function (_, name) { return values && name in values ? values[name] : ""; });
  }

  // Elements name their words: data-text-content, data-text-placeholder, data-text-title, data-text-label
  // (aria-label); chips carry data-chip (the key of their label; the words they send are its "…Text" key).
  function applyTexts() {
    document.documentElement.lang = script === "simplified" ? "zh-CN" : script === "hk" ? "zh-HK" : "zh-TW";
    document.body.dataset.script = script;
    document.title = t("title");
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-content]"), function (node) {
      node.textContent = t(node.dataset.textContent);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-placeholder]"), function (node) {
      node.placeholder = t(node.dataset.textPlaceholder);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-title]"), function (node) {
      node.title = t(node.dataset.textTitle);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-label]"), function (node) {
      node.setAttribute("aria-label", t(node.dataset.textLabel));
    });
    Array.prototype.forEach.call(chips.querySelectorAll("button[data-chip]"), function (chip) {
      chip.textContent = t(chip.dataset.chip);
      chip.dataset.text = t(chip.dataset.chip + "Text");
    });
    showStatus();
  }

  function useScript(next) {
    if (!known(next) || next === script) { return; }
    script = next;
    try { window.localStorage.setItem(SCRIPT_KEY, script); } catch (e) { /* private mode */ }
    applyTexts();
    renderAll();
  }

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

  function storedSessionToken() {
    try { return window.localStorage.getItem(SESSION_TOKEN_KEY); } catch (e) { return null; }
  }

  function storeSessionToken(token) {
    try { window.localStorage.setItem(SESSION_TOKEN_KEY, token); } catch (e) { /* private mode */ }
  }

  var sessionId = storedSessionId();
  var sessionToken = storedSessionToken();
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
    // A photo's preview is a blob: address that dies with the page: it is not kept.
    var kept = JSON.stringify(transcript, function (key, value) { return key === "preview" ? undefined : value; });
    try { window.localStorage.setItem(transcriptKey(), kept); } catch (e) { /* full */ }
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

  // entry: {from: "user"|"bot"|"agent"|"notice"|"system", text | textKey (the page's own words), buttons:
  //         [{title,payload}], image, name, ts, used (its buttons are answered or superseded), chosen (the one tapped)}
  function render(entry, index) {
    var row = el("div", "row row-" + entry.from);
    row.dataset.from = entry.from;
    var bubble = el("div", "bubble");
    if (entry.from === "agent" || entry.from === "notice") {
      var label = entry.from === "agent" ? t("agent") + (entry.name ? " · " + entry.name : "") : t("notice");
      bubble.appendChild(el("div", "author", label));
    }
    var text = entry.textKey ? t(entry.textKey) : entry.text;
    if (text) {
      bubble.appendChild(el("div", "text", text));
    }
    var src = safeImageUrl(entry.image) || (/^blob:/.test(entry.preview || "") ? entry.preview : null);
    if (src) {
      var img = el("img", "image");
      img.alt = t("image");
      img.loading = "lazy";
      img.src = src;
      img.addEventListener("load", scrollToEnd);
      bubble.appendChild(img);
    }
    if (entry.buttons && entry.buttons.length) {
      bubble.appendChild(renderButtons(entry, index));
    }
    if (entry.card) {
      row.classList.add("row-card");
      bubble.appendChild(renderCard(entry, index));
    }
    row.appendChild(bubble);
    if (entry.ts) { row.appendChild(el("time", "time", timeLabel(entry.ts))); }
    messagesEl.appendChild(row);
    scrollToEnd();
  }

  function renderButtons(entry, index, buttons, className) {
    var group = el("div", className || "buttons");
    group.setAttribute("role", "group");
    (buttons || entry.buttons).forEach(function (button, position) {
      var b = el("button", "reply-button" + (entry.chosen === position ? " chosen" : ""), button.title);
      b.type = "button";
      b.disabled = Boolean(entry.used);
      if (entry.used) { b.title = t("answered"); }
      b.addEventListener("click", function () {
        if (b.disabled) { return; }
        if (transcript[index]) { transcript[index].chosen = position; }
        b.classList.add("chosen");
        send(button.payload, button.title, true);
      });
      group.appendChild(b);
    });
    return group;
  }

  // ---- the tracking card ----

  // "2026-12-06T09:05:00+08:00" → "12月6日 09:05", the wall-clock time the server gave (the company's zone),
  // whatever zone the browser is in.
  function cardTime(iso) {
    var m = /^\d{4}-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(String(iso || ""));
    if (!m) { return ""; }
    var day = t("cardDate", { month: Number(m[1]), day: Number(m[2]) });
    return m[3] ? day + " " + m[3] + ":" + m[4] : day;
  }

  function cardLine(className, label, value) {
    var line = el("p", className);
    line.appendChild(el("span", "card-label", label));
    line.appendChild(el("span", "card-value", value));
    return line;
  }

  function renderCard(entry, index) {
    var card = entry.card;
    var node = el("section", "card" + (card.late ? " card-late" : ""));
    node.dataset.status = card.status;
    node.setAttribute("aria-label", t("cardLabel", { number: card.number }));
    var head = el("div", "card-head");
    head.appendChild(el("span", "card-number", card.number));
    head.appendChild(el("strong", "card-status", card.title));
    node.appendChild(head);

    var route = el("p", "card-route");
    route.appendChild(el("span", "visually-hidden", t("cardRoute")));
    route.appendChild(el("span", "card-city", card.origin));
    var arrow = el("span", "card-arrow", "→");
    arrow.setAttribute("aria-hidden", "true");
    route.appendChild(arrow);
    route.appendChild(el("span", "visually-hidden", t("cardTo")));
    route.appendChild(el("span", "card-city", card.destination));
    node.appendChild(route);
    if (card.current) { node.appendChild(cardLine("card-meta", t("cardNow"), card.current)); }
    if (card.eta) { node.appendChild(cardLine("card-meta", t("cardEta"), cardTime(card.eta))); }

    if (card.timeline.length) {
      node.appendChild(el("p", "card-section", t("cardTimeline")));
      var list = el("ol", "card-timeline");
      card.timeline.forEach(function (scan, position) {
        var item = el("li", "card-scan" + (position === 0 ? " card-scan-latest" : ""));
        item.dataset.status = scan.status;
        var when = el("time", "card-when", cardTime(scan.time));
        when.dateTime = scan.time;
        item.appendChild(when);
        item.appendChild(el("span", "card-where", scan.city));
        item.appendChild(el("span", "card-what", scan.text));
        list.appendChild(item);
      });
      node.appendChild(list);
      if (!card.complete) { node.appendChild(el("p", "card-hint", t("cardVerifyHint"))); }
    }

    if (card.courier) {
      var courier = el("p", "card-courier");
      courier.appendChild(el("span", "card-label", t("cardCourier")));
      courier.appendChild(el("span", "card-value", card.courier.name));
      if (card.courier.tel) {
        var call = el("a", "card-call", card.courier.phone);
        call.href = "tel:" + card.courier.tel;
        call.setAttribute("aria-label", t("cardCall", { name: card.courier.name, phone: card.courier.phone }));
        courier.appendChild(call);
      } else if (card.courier.phone) {
        courier.appendChild(el("span", "card-phone", card.courier.phone));
      }
      node.appendChild(courier);
    }

    if (card.actions.length) {
      var actions = renderButtons(entry, index, card.actions, "buttons card-actions");
      actions.setAttribute("aria-label", t("cardActions"));
      node.appendChild(actions);
    }
    return node;
  }

  function cardText(value) { return typeof value === "string" ? value : ""; }

  function cardPlace(value) { return value && typeof value === "object" ? cardText(value.title) : ""; }

  // Only the fields the card draws, as strings: whatever else the message holds is dropped.
  function fromCard(custom) {
    if (!custom || custom.type !== "tracking_card" || typeof custom.tracking_number !== "string") { return null; }
    var route = custom.route && typeof custom.route === "object" ? custom.route : {};
    var courier = custom.courier && typeof custom.courier === "object" ? custom.courier : null;
    var phone = courier ? cardText(courier.text) : "";
    var digits = phone.replace(/[\s-]/g, "");
    return {
      number: custom.tracking_number,
      status: cardText(custom.status),
      title: cardText(custom.title),
      late: custom.late === true,
      origin: cardPlace(route.origin),
      destination: cardPlace(route.destination),
      current: cardPlace(custom.current),
      eta: cardText(custom.eta),
      complete: custom.complete === true,
      timeline: (Array.isArray(custom.timeline) ? custom.timeline : []).filter(function (scan) {
        return scan && typeof scan === "object";
      }).slice(0, 20).map(function (scan) {
        return { time: cardText(scan.time), status: cardText(scan.status), city: cardText(scan.title),
                 text: cardText(scan.text) };
      }),
      courier: courier && cardText(courier.title) ? {
        name: cardText(courier.title), phone: phone,
        // a number to call only when the server says the customer may (verified) and it is a whole number
        tel: courier.callable === true && /^\+?\d{5,15}$/.test(digits) ? digits : null,
      } : null,
      actions: (Array.isArray(custom.actions) ? custom.actions : []).filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      }).slice(0, 6).map(function (b) { return { title: b.title, payload: b.payload }; }),
    };
  }

  // Buttons are a question's answers: once the customer answered (by tapping or typing) or a newer question
  // came, the old ones are spent: a stale "5 非常满意" must not land in the middle of a quote.
  function retireButtons() {
    var changed = false;
    transcript.forEach(function (entry) {
      var answerable = (entry.buttons && entry.buttons.length) || (entry.card && entry.card.actions.length);
      if (answerable && !entry.used) { entry.used = true; changed = true; }
    });
    Array.prototype.forEach.call(messagesEl.querySelectorAll(".reply-button:not(:disabled)"), function (b) {
      b.disabled = true;
      b.title = t("answered");
    });
    return changed;
  }

  function add(entry) {
    entry.ts = entry.ts || Date.now();
    if (entry.from === "user" || (entry.buttons && entry.buttons.length)) { retireButtons(); }
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

  // Dots only while the assistant is working on an answer. A message a person has (an agent owns the chat) gets
  // none: the console sends no "typing" signal, and dots that never end would be a promise nobody keeps.
  var withPerson = false;

  function withPersonKey() { return WITH_PERSON_PREFIX + sessionId; }

  function loadWithPerson() {
    try { return sessionId !== null && window.localStorage.getItem(withPersonKey()) === "1"; } catch (e) { return false; }
  }

  function setWithPerson(value) {
    withPerson = Boolean(value);
    if (withPerson) { hideTyping(); }
    try {
      if (withPerson) { window.localStorage.setItem(withPersonKey(), "1"); } else { window.localStorage.removeItem(withPersonKey()); }
    } catch (e) { /* private mode */ }
  }

  function showTyping() {
    if (withPerson) { return; }
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

  var status = { state: "connecting", key: "connecting", values: null };

  function setStatus(state, key, values) {
    status = { state: state, key: key, values: values || null };
    showStatus();
  }

  function showStatus() {
    statusEl.dataset.state = status.state;
    statusTextEl.textContent = t(status.key, status.values);
  }

  var confirmed = false;
  var pending = [];

  var socket = window.io(rasaUrl(), {
    transports: ["websocket", "polling"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 8000,
  });

  socket.on("connect", function () {
    setStatus("online", "online");
    socket.emit("session_request", { session_id: sessionId, session_token: sessionToken });
  });

  // Comes just before session_confirm: the token that lets this browser, and only it, resume the session.
  var given = null;
  socket.on("session_token", function (reply) {
    var ok = reply && typeof reply.session_id === "string" && typeof reply.session_token === "string";
    given = ok ? { session_id: reply.session_id, session_token: reply.session_token } : null;
  });

  socket.on("session_confirm", function (reply) {
    var id = typeof reply === "string" ? reply : reply && reply.session_id;
    if (!id) { return; }
    if (given && given.session_id === id) {
      sessionToken = given.session_token;
      storeSessionToken(sessionToken);
    }
    if (id !== sessionId) {
      // A brand-new page keeps what was typed before the confirmation; a replaced session starts afresh.
      var keep = sessionId === null ? transcript : [];
      sessionId = id;
      storeSessionId(id);
      transcript = loadTranscript().concat(keep);
      withPerson = loadWithPerson();
      saveTranscript();
      renderAll();
    }
    if (!transcript.length) {
      add({ from: "system", textKey: "welcome" });
    }
    document.body.dataset.session = sessionId;
    confirmed = true;
    flushPending();
  });

  socket.on("disconnect", function () {
    confirmed = false;
    setStatus("offline", "offline");
    hideTyping();
  });

  socket.io.on("reconnect_attempt", function (attempt) {
    setStatus("connecting", "reconnecting", { n: attempt });
  });

  socket.on("connect_error", function () {
    setStatus("offline", "unreachable");
  });

  // After each message: the script the customer writes (the page follows it) and who has the message.
  socket.on("conversation_state", function (state) {
    if (!state || typeof state !== "object") { return; }
    setWithPerson(state.with_person === true);
    if (state.script === "traditional") {
      useScript(state.variant === "hk" ? "hk" : "tw");
    } else if (state.script === "simplified") {
      useScript("simplified");
    }
  });

  socket.on("bot_uttered", function (message) {
    hideTyping();
    var entry = fromBotMessage(message);
    if (entry) { add(entry); }
    // An agent's message says a person has the chat now (the console wants to hear the customer typing), before
    // the customer's next message brings conversation_state; the assistant's own says it is back.
    if (entry && entry.from === "agent") { setWithPerson(true); }
    if (entry && entry.from === "bot") { setWithPerson(false); }
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
    var card = fromCard(message.custom);
    if (card) {
      entry.card = card;
    } else if (!entry.text && message.custom && typeof message.custom.text === "string") {
      entry.text = message.custom.text;
    }
    return entry.text || entry.image || entry.card || (entry.buttons && entry.buttons.length) ? entry : null;
  }

  // ---- sending ----

  // `shown` is what the customer sees in their bubble (a button's title), `message` what Rasa receives;
  // `tapped`: a button, whose title (in the customer's script) tells the server the script, not its payload.
  function send(message, shown, tapped) {
    var text = String(message || "").trim();
    if (!text) { return; }
    add({ from: "user", text: shown || text });
    var packet = { message: text };
    if (tapped && shown) { packet.metadata = { tapped: String(shown) }; }
    deliver(packet);
  }

  function deliver(packet) {
    showTyping();
    if (confirmed) {
      emitMessage(packet);
    } else {
      pending.push(packet);  // sent once the server has confirmed which conversation this is
    }
  }

  function emitMessage(packet) {
    packet.session_id = sessionId;
    packet.session_token = sessionToken;
    socket.emit("user_uttered", packet);
  }

  function flushPending() {
    while (pending.length) {
      emitMessage(pending.shift());
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

  // While an agent owns the chat, the console shows "顾客正在输入…": one signal at most every 2 s (the server
  // refuses more), none for an empty box, and a failure is only a missing hint.
  var TYPING_SIGNAL_MS = 2000;

  // The page's own server routes (typing, uploads) take a chat session only with its token: only the browser the
  // session was given to may speak for it.
  function sessionHeaders(headers) {
    headers["X-Chat-Session"] = sessionId;
    headers["X-Chat-Session-Token"] = sessionToken || "";
    return headers;
  }
  var lastTypingSignal = 0;
  input.addEventListener("input", function () {
    var now = Date.now();
    if (!withPerson || !sessionId || !input.value.trim() || now - lastTypingSignal < TYPING_SIGNAL_MS) { return; }
    lastTypingSignal = now;
    window.fetch("typing", { method: "POST", headers: sessionHeaders({}), credentials: "same-origin" })
      .catch(function () {});
  });

  // No longer than the server reads (MAX_MESSAGE_CHARS, given by config.js): typing or pasting stops there.
  var maxMessageChars = (window.COURIER_CHAT_CONFIG || {}).maxMessageChars;
  if (/^\d+$/.test(String(maxMessageChars)) && Number(maxMessageChars) > 0) {
    input.maxLength = Number(maxMessageChars);
  }

  // ---- photos: button, paste, drop ----

  function note(text) { add({ from: "system", text: text }); }

  function refusalText(response) {
    return response.json().then(function (body) {
      var detail = body && body.detail;
      return detail && typeof detail.message === "string" ? detail.message : t("photoFailed");
    }, function () { return t("photoFailed"); });
  }

  // The server judges the photo (type by its bytes, size, how many this chat sent) and answers in this page's
  // script; the page only passes its words on.
  function uploadPhoto(file) {
    if (!confirmed || !sessionId) { note(t("photoNotReady")); return Promise.resolve(); }
    var query = script === "simplified" ? "" : "?script=" + encodeURIComponent(script);
    return window.fetch("uploads" + query, {
      method: "POST",
      headers: sessionHeaders({ "Content-Type": file.type || "application/octet-stream" }),
      body: file,
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) { return refusalText(response).then(note); }
      return response.json().then(function (held) {
        if (!held || typeof held.upload !== "string") { note(t("photoFailed")); return; }
        var preview = window.URL && window.URL.createObjectURL ? window.URL.createObjectURL(file) : null;
        add({ from: "user", textKey: "photoSent", preview: preview });
        deliver({ message: "[图片]", metadata: { image_url: held.upload } });
      });
    }, function () { note(t("photoFailed")); });
  }

  function uploadPhotos(files) {
    var list = Array.prototype.filter.call(files || [], function (file) { return file && file.kind !== "string"; });
    if (!list.length) { return; }
    photoButton.disabled = true;
    photoButton.setAttribute("aria-busy", "true");
    photoButton.title = t("photoUploading");
    var chain = Promise.resolve();
    list.slice(0, MAX_PHOTOS_AT_ONCE).forEach(function (file) {
      chain = chain.then(function () { return uploadPhoto(file); });
    });
    chain.then(function () {
      photoButton.disabled = false;
      photoButton.removeAttribute("aria-busy");
      photoButton.title = t("photoHint");
    });
  }

  photoButton.addEventListener("click", function () { photoInput.click(); });

  photoInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(photoInput.files || []);
    photoInput.value = "";  // choosing the same photo again fires change again
    uploadPhotos(files);
  });

  input.addEventListener("paste", function (event) {
    var items = event.clipboardData ? event.clipboardData.items || [] : [];
    var files = [];
    Array.prototype.forEach.call(items, function (item) {
      if (item.kind === "file" && /^image\//.test(item.type)) { files.push(item.getAsFile()); }
    });
    if (files.length) {
      event.preventDefault();
      uploadPhotos(files);
    }
  });

  function carriesFiles(event) {
    var types = event.dataTransfer ? event.dataTransfer.types : null;
    return Boolean(types) && Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  chatEl.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    chatEl.classList.add("dropping");
  });
  chatEl.addEventListener("dragleave", function (event) {
    if (event.target === chatEl || !chatEl.contains(event.relatedTarget)) { chatEl.classList.remove("dropping"); }
  });
  chatEl.addEventListener("drop", function (event) {
    chatEl.classList.remove("dropping");
    if (!carriesFiles(event)) { return; }
    event.preventDefault();
    uploadPhotos(event.dataTransfer.files);
  });

  chips.addEventListener("click", function (event) {
    var chip = event.target.closest("button[data-text]");
    if (chip) { send(chip.dataset.text); }
  });

  function startNewChat() {
    try {
      window.localStorage.removeItem(transcriptKey());
      window.localStorage.removeItem(withPersonKey());
    } catch (e) { /* ignore */ }
    sessionId = null;
    sessionToken = null;
    transcript = [];
    withPerson = false;
    hideTyping();
    messagesEl.textContent = "";
    try {
      window.localStorage.removeItem(SESSION_KEY);
      window.localStorage.removeItem(SESSION_TOKEN_KEY);
    } catch (e) { /* ignore */ }
    // Reconnecting leaves the old conversation's room; the connect handler then asks for a new session.
    socket.disconnect().connect();
  }

  // Wiping a conversation the customer took part in is asked first; a page with only the welcome just restarts.
  newChatButton.addEventListener("click", function () {
    var started = transcript.some(function (entry) { return entry.from === "user"; });
    if (!started) { startNewChat(); return; }
    if (typeof newChatDialog.showModal === "function") {
      newChatDialog.returnValue = "";
      newChatDialog.showModal();
    } else if (window.confirm(t("newChatQuestion"))) {
      startNewChat();
    }
  });

  newChatDialog.addEventListener("close", function () {
    if (newChatDialog.returnValue === "confirm") { startNewChat(); }
    newChatButton.focus();
  });

  transcript = loadTranscript();
  withPerson = loadWithPerson();
  applyTexts();
  renderAll();
  if (sessionId) { document.body.dataset.session = sessionId; }
})();
