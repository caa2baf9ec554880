"use strict";
// The agent's desk: queue, the selected conversation (transcript + live messages), the customer's context and
// quick actions. Changes arrive pushed by the server's event stream (/console/api/stream); the page polls every
// second only while the stream is down. Customer text is only ever set with textContent.
(function () {
  var el = Console.el, api = Console.api, clear = Console.clear;
  var POLL_MS = 1000;
  var TYPING_SHOWN_MS = 4000;
  // `generation` changes whenever the pane is redrawn, so a poll that started before (e.g. before accepting)
  // cannot add its stale answer to the new pane.
  var state = { selected: null, handoff: null, lastMessageId: 0, polling: false, generation: 0 };
  var CHANNELS = { socketio: "网页", wechat: "微信", rest: "接口" };

  function queueItem(item) {
    var li = el("li", "queue-item" + (item.is_vip ? " vip" : "") + (state.selected === item.id ? " selected" : ""));
    li.dataset.handoffId = String(item.id);
    li.dataset.conversationId = item.conversation_id;
    var top = el("div", "line");
    if (item.is_vip) { top.appendChild(el("span", "badge vip-badge", "VIP")); }
    top.appendChild(el("span", "reason", item.reason_text));
    top.appendChild(el("span", "channel", CHANNELS[item.channel] || item.channel));
    li.appendChild(top);
    var bottom = el("div", "line small");
    if (item.status === "waiting") {
      bottom.appendChild(el("span", "wait", "已等待 " + Console.duration(item.waiting_seconds)));
      bottom.appendChild(el("span", "position", "第 " + item.position + " 位"));
    } else {
      bottom.appendChild(el("span", "status", item.status_text + (item.agent_name ? " · " + item.agent_name : "")));
    }
    bottom.appendChild(el("span", "phone", item.customer_phone || "未留电话"));
    li.appendChild(bottom);
    if (item.account_manager) { li.appendChild(el("div", "line small", "客户经理：" + item.account_manager)); }
    li.addEventListener("click", function () { select(item.id); });
    return li;
  }

  function renderList(id, items, empty) {
    var list = document.getElementById(id);
    clear(list);
    if (!items.length) { list.appendChild(el("li", "empty", empty)); return; }
    items.forEach(function (item) { list.appendChild(queueItem(item)); });
  }

  function refreshQueue() {
    return api("GET", "/queue").then(function (queue) {
      document.getElementById("waiting-count").textContent = String(queue.waiting.length);
      document.getElementById("callback-count").textContent = String(queue.callbacks_open);
      renderList("waiting", queue.waiting, "暂无排队的会话");
      renderList("mine", queue.mine, "暂无");
      renderList("recent", queue.recent, "暂无");
    });
  }

  function refreshCallbacks() {
    return api("GET", "/callbacks").then(function (data) {
      var list = document.getElementById("callbacks");
      clear(list);
      var open = data.items.filter(function (c) { return c.status === "open"; });
      if (!open.length) { list.appendChild(el("li", "empty", "暂无")); return; }
      open.forEach(function (callback) {
        var li = el("li", "queue-item" + (callback.is_vip ? " vip" : ""));
        li.appendChild(el("div", "line", callback.phone + (callback.is_vip ? "（VIP）" : "")));
        li.appendChild(el("div", "line small", "最早 " + Console.time(callback.call_after) + " 回电"));
        var done = el("button", "small-button", "已回电");
        done.type = "button";
        done.addEventListener("click", function () {
          api("POST", "/callbacks/" + callback.id + "/done").then(refreshCallbacks);
        });
        li.appendChild(done);
        list.appendChild(li);
      });
    });
  }

  function bubble(role, text, label, at, extraClass) {
    var row = el("div", "bubble-row " + role + (extraClass ? " " + extraClass : ""));
    var bubbleNode = el("div", "bubble");
    bubbleNode.appendChild(el("div", "who", label + (at ? " · " + at : "")));
    bubbleNode.appendChild(el("div", "text", text));
    row.appendChild(bubbleNode);
    return row;
  }

  function appendMessage(message) {
    if (message.id <= state.lastMessageId) { return; }
    state.lastMessageId = message.id;
    // Messages from the wait that the refreshed transcript shows already.
    if (message.in_transcript) { return; }
    var box = document.getElementById("transcript");
    var label = { customer: "顾客", agent: message.agent_name || "客服", system: "系统" }[message.author] || message.author;
    var extra = message.author === "agent" && message.delivered === false ? "undelivered" : "";
    var row = bubble(message.author, message.text, label, Console.time(message.at), extra);
    row.dataset.messageId = String(message.id);
    if (extra) { row.appendChild(el("div", "note", "未能送达顾客")); }
    box.appendChild(row);
    box.scrollTop = box.scrollHeight;
    if (message.author === "customer") { hideCustomerTyping(); }
  }

  var typingTimer = null;
  function showCustomerTyping() {
    document.getElementById("customer-typing").hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideCustomerTyping, TYPING_SHOWN_MS);
  }
  function hideCustomerTyping() {
    document.getElementById("customer-typing").hidden = true;
    clearTimeout(typingTimer);
  }

  function renderHandoff(detail) {
    state.handoff = detail;
    document.getElementById("chat-pane").hidden = false;
    document.getElementById("context-pane").hidden = false;
    document.getElementById("chat-title").textContent =
      (detail.is_vip ? "VIP · " : "") + detail.reason_text + " · " + (CHANNELS[detail.channel] || detail.channel);
    // What the customer wanted, in words (the server's intent_text), not the assistant's intent name.
    var meta = "会话 " + detail.conversation_id + " · " + detail.status_text + " · 顾客想办：" + (detail.intent_text || "未识别");
    if (detail.status === "waiting") { meta += " · 排第 " + detail.position + " 位"; }
    document.getElementById("chat-meta").textContent = meta;
    var box = document.getElementById("transcript");
    clear(box);
    box.appendChild(el("div", "divider", "机器人对话记录"));
    var waitShown = false;
    detail.transcript.forEach(function (line) {
      if (line.during_wait && !waitShown) {
        box.appendChild(el("div", "divider", "转人工 · 排队期间机器人继续服务"));
        waitShown = true;
      }
      var at = line.at ? Console.time(new Date(line.at * 1000).toISOString()) : "";
      box.appendChild(bubble(line.role === "user" ? "customer" : "bot", line.text, line.role === "user" ? "顾客" : "机器人", at));
    });
    box.appendChild(el("div", "divider", waitShown ? "人工服务" : "转人工"));
    state.lastMessageId = 0;
    state.generation += 1;
    hideCustomerTyping();
    detail.messages.forEach(appendMessage);
    box.scrollTop = box.scrollHeight;
    renderControls();
    renderSlots(detail.slot_lines);
  }

  function renderControls() {
    var detail = state.handoff;
    var mine = detail.status === "active";
    document.getElementById("accept").hidden = detail.status !== "waiting";
    document.getElementById("end").hidden = !mine;
    document.getElementById("reply-form").hidden = !mine;
  }

  // lines: [{key, label, value}] with Chinese labels and readable values, made by the server (bot/console/labels.py).
  function renderSlots(lines) {
    var list = document.getElementById("slots");
    clear(list);
    (lines || []).forEach(function (line) {
      var term = el("dt", null, line.label);
      term.dataset.slot = line.key;
      list.appendChild(term);
      list.appendChild(el("dd", null, line.value));
    });
    if (!list.firstChild) { list.appendChild(el("dd", "empty", "无")); }
  }

  function renderParcel(parcel) {
    var box = document.getElementById("parcel");
    clear(box);
    if (!parcel) { box.appendChild(el("p", "empty", "没有关联的快件")); return; }
    box.appendChild(el("p", null, parcel.tracking_number + " · " + parcel.status_text));
    box.appendChild(el("p", "small", parcel.origin_city + " → " + parcel.destination_city + "，当前 " + parcel.current_city +
      (parcel.eta ? "，预计 " + parcel.eta : "")));
    if (parcel.last_event) { box.appendChild(el("p", "small", Console.time(parcel.last_event.time) + " " + parcel.last_event.description)); }
    if (parcel.follow_up) {
      box.appendChild(el("p", "small follow-up", "客户已催件：" + Console.time(parcel.follow_up.created_at) + " 登记给" +
        parcel.follow_up.outlet + "，" + Console.time(parcel.follow_up.due_at) + " 前答复"));
    }
  }

  function renderContext(context) {
    var customer = document.getElementById("customer");
    clear(customer);
    if (context.customer) {
      customer.appendChild(el("p", null, context.customer.name + " " + context.customer.phone + (context.customer.is_vip ? " · 重点客户" : "")));
      if (context.customer.account_manager) {
        customer.appendChild(el("p", "small", "客户经理：" + context.customer.account_manager.name));
      }
    } else {
      customer.appendChild(el("p", "empty", "未识别顾客身份"));
    }
    renderParcel(context.parcel);
    var tickets = document.getElementById("tickets");
    clear(tickets);
    context.complaints.forEach(function (c) {
      var li = el("li", c.is_overdue ? "overdue" : "", "投诉 " + c.number + " · " + c.category_text + " · " + c.stage_text);
      li.appendChild(el("div", "small", "响应期限 " + Console.time(c.response_due_at) + (c.is_overdue ? "（已超时）" : "")));
      tickets.appendChild(li);
    });
    context.claims.forEach(function (c) {
      var li = el("li", null, "理赔 " + c.number + " · " + (c.stage_text || c.stage));
      if (c.payout_due_date) { li.appendChild(el("div", "small", "赔付期限 " + c.payout_due_date)); }
      tickets.appendChild(li);
    });
    if (!tickets.firstChild) { tickets.appendChild(el("li", "empty", "暂无工单")); }
    renderPhotos(context.photos || []);
  }

  // Claim evidence and web chat photos of this conversation, served by the console to the signed-in agent only.
  function renderPhotos(photos) {
    var box = document.getElementById("photos");
    clear(box);
    photos.forEach(function (photo) {
      if (typeof photo.url !== "string" || photo.url.indexOf("/console/api/") !== 0) { return; }
      var figure = el("figure", "photo");
      var link = el("a");
      link.href = photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      var img = el("img");
      img.src = photo.url;
      img.loading = "lazy";
      img.alt = photo.claim_number ? "理赔 " + photo.claim_number + " 的凭证照片" : "顾客在聊天中发送的照片";
      link.appendChild(img);
      figure.appendChild(link);
      figure.appendChild(el("figcaption", "small",
        (photo.claim_number ? "理赔 " + photo.claim_number : "聊天中发送（未附到工单）") + " · " + Console.time(photo.sent_at)));
      box.appendChild(figure);
    });
    if (!box.firstChild) { box.appendChild(el("p", "empty", "暂无照片")); }
  }

  function select(id) {
    state.selected = id;
    document.getElementById("chat-error").textContent = "";
    document.getElementById("context-result").textContent = "";
    return api("GET", "/handoffs/" + id).then(function (detail) {
      renderHandoff(detail);
      return api("GET", "/handoffs/" + id + "/context").then(renderContext);
    }).catch(showError);
  }

  function pollMessages() {
    if (!state.handoff) { return Promise.resolve(); }
    var id = state.handoff.id, generation = state.generation;
    return api("GET", "/handoffs/" + id + "/messages?after=" + state.lastMessageId).then(function (data) {
      if (!state.handoff || state.handoff.id !== id || state.generation !== generation) { return; }
      data.messages.forEach(appendMessage);
      if (data.status !== state.handoff.status) {
        state.handoff.status = data.status;
        renderControls();
      }
    });
  }

  function showError(error) {
    if (error && error.message !== "login") { document.getElementById("chat-error").textContent = error.message; }
  }

  function tick() {
    if (state.polling) { return; }
    state.polling = true;
    Promise.all([refreshQueue(), pollMessages()]).catch(showError).finally(function () { state.polling = false; });
  }

  document.getElementById("accept").addEventListener("click", function () {
    api("POST", "/handoffs/" + state.handoff.id + "/accept").then(function (detail) {
      renderHandoff(detail);
      refreshQueue();
      document.getElementById("reply").focus();
    }).catch(showError);
  });

  // Ending hands the customer back to the assistant: asked first, as a click cannot be undone.
  var endDialog = document.getElementById("end-dialog");
  document.getElementById("end").addEventListener("click", function () {
    endDialog.returnValue = "";
    endDialog.showModal();
  });
  endDialog.addEventListener("close", function () {
    if (endDialog.returnValue === "confirm" && state.handoff) { endService(); }
  });

  function endService() {
    api("POST", "/handoffs/" + state.handoff.id + "/end").then(function (detail) {
      renderHandoff(detail);
      if (!detail.assistant_resumed) { showError(new Error("已结束，但未能通知机器人接回对话：" + (detail.problem || ""))); }
      refreshQueue();
    }).catch(showError);
  }

  var reply = document.getElementById("reply");
  function send() {
    var text = reply.value.trim();
    if (!text) { return; }
    reply.value = "";
    api("POST", "/handoffs/" + state.handoff.id + "/messages", { text: text }).then(function (message) {
      if (message.problem) { showError(new Error("消息已保存，但未能送达顾客：" + message.problem)); }
      return pollMessages();
    }).catch(function (error) { reply.value = text; showError(error); });
  }
  document.getElementById("reply-form").addEventListener("submit", function (event) { event.preventDefault(); send(); });
  reply.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
  });

  document.getElementById("parcel-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var number = document.getElementById("parcel-number").value.trim();
    if (!number) { return; }
    api("GET", "/parcels/" + encodeURIComponent(number)).then(renderParcel).catch(function (error) {
      document.getElementById("context-result").textContent = error.message;
    });
  });

  function quick(path, body, done) {
    var result = document.getElementById("context-result");
    api("POST", "/handoffs/" + state.handoff.id + path, body).then(function (created) {
      result.textContent = done(created);
      return api("GET", "/handoffs/" + state.handoff.id + "/context").then(renderContext);
    }).catch(function (error) { result.textContent = error.message; });
  }

  document.getElementById("complaint-form").addEventListener("submit", function (event) {
    event.preventDefault();
    quick("/complaints", {
      category: document.getElementById("complaint-category").value,
      description: document.getElementById("complaint-description").value,
      contact_phone: document.getElementById("complaint-phone").value || null,
      tracking_number: null
    }, function (c) { return "已登记投诉 " + c.number + "，响应期限 " + Console.time(c.response_due_at); });
  });

  document.getElementById("claim-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var amount = document.getElementById("claim-amount").value;
    quick("/claims", {
      tracking_number: document.getElementById("claim-number").value,
      claim_type: document.getElementById("claim-type").value,
      description: document.getElementById("claim-description").value,
      contact_phone: document.getElementById("claim-phone").value || null,
      claimed_amount_fen: amount ? Math.round(parseFloat(amount) * 100) : null
    }, function (c) { return "已受理理赔 " + c.number; });
  });

  // The event stream: while it is connected the page does not poll. EventSource reconnects by itself (sending
  // Last-Event-ID); a stream the server refused (401, 429) is tried again later, and meanwhile the page polls.
  var live = { source: null, connected: false };
  function setLive(connected) {
    live.connected = connected;
    document.body.dataset.live = connected ? "stream" : "polling";
  }
  function openStream() {
    if (!window.EventSource) { setLive(false); return; }
    var source = new EventSource("/console/api/stream");
    live.source = source;
    source.addEventListener("open", function () { setLive(true); });
    source.addEventListener("error", function () {
      setLive(false);
      if (source.readyState === EventSource.CLOSED) { live.source = null; setTimeout(openStream, 15000); }
    });
    // Sent on every (re)connection too: whatever was missed while the stream was down is read again.
    source.addEventListener("queue", function () { tick(); });
    source.addEventListener("handoff_message", function (event) {
      var data = JSON.parse(event.data);
      if (state.handoff && data.handoff_id === state.handoff.id) { pollMessages().catch(showError); }
    });
    source.addEventListener("typing", function (event) {
      var data = JSON.parse(event.data);
      if (state.handoff && data.handoff_id === state.handoff.id && state.handoff.status === "active") { showCustomerTyping(); }
    });
    source.addEventListener("logout", function () { source.close(); window.location.href = "/console/login"; });
  }

  Console.setupLogout();
  setLive(false);
  tick();
  refreshCallbacks().catch(function () {});
  openStream();
  setInterval(function () { if (!live.connected) { tick(); } }, POLL_MS);
  setInterval(function () { refreshCallbacks().catch(function () {}); }, 15000);
})();
