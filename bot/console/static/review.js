"use strict";
// The supervisors' review page: groups of misread messages from /console/api/review, labels, the export.
(function () {
  var el = Console.el, clear = Console.clear;
  var WHY = { fell_back: "没听懂", low_confidence: "把握不大", handed_off: "随后转人工" };
  var choices = { intents: [], entities: {} };
  var status = document.getElementById("status");

  function say(text) { status.textContent = text; }

  // An intent list starts unchosen when the model's reading was no intent it knows (a fallback): a supervisor
  // in a hurry must not confirm the first intent of the list by accident.
  function select(options, chosen, label, placeholder) {
    var node = el("select");
    node.setAttribute("aria-label", label);
    if (placeholder) {
      var none = el("option", null, placeholder);
      none.value = "";
      node.appendChild(none);
    }
    options.forEach(function (value) {
      var option = el("option", null, value);
      option.value = value;
      if (value === chosen) { option.selected = true; }
      node.appendChild(option);
    });
    return node;
  }

  function entityOptions() {
    var list = [];
    Object.keys(choices.entities).forEach(function (name) {
      list.push(name);
      choices.entities[name].forEach(function (role) { list.push(name + ":" + role); });
    });
    return list;
  }

  // Characters [start, end) of the message the supervisor selected, or null when the selection is elsewhere.
  function selectedSpan(textNode) {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0) { return null; }
    var range = selection.getRangeAt(0);
    if (!textNode.contains(range.startContainer) || !textNode.contains(range.endContainer)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(textNode);
    before.setEnd(range.startContainer, range.startOffset);
    var start = before.toString().length;
    var end = start + range.toString().length;
    return end > start ? { start: start, end: end } : null;
  }

  function messageRow(message, groupIntent) {
    var row = el("li", "review-message");
    row.dataset.id = message.id;
    var text = el("span", "review-text", message.text);
    row.appendChild(text);
    var facts = message.why.map(function (key) { return WHY[key] || key; }).join("、");
    row.appendChild(el("span", "small", " " + facts + " · 识别为 " + (message.intent || "—") +
      (message.confidence === null ? "" : "（" + Math.round(message.confidence * 100) + "%）") + " · " + Console.time(message.at)));
    var controls = el("div", "review-controls");
    var intent = select(choices.intents, choices.intents.indexOf(message.intent) >= 0 ? message.intent : groupIntent, "意图", "请选择意图");
    intent.className = "review-intent";
    var entity = select(entityOptions(), null, "实体");
    var mark = el("button", "small-button", "标记所选文字");
    mark.type = "button";
    var marked = el("span", "review-entities small");
    var spans = [];
    function showSpans() {
      clear(marked);
      spans.forEach(function (span, index) {
        var chip = el("button", "small-button", message.text.slice(span.start, span.end) + " → " + span.entity + (span.role ? ":" + span.role : "") + " ×");
        chip.type = "button";
        chip.addEventListener("click", function () { spans.splice(index, 1); showSpans(); });
        marked.appendChild(chip);
      });
    }
    mark.addEventListener("click", function () {
      var span = selectedSpan(text);
      if (!span) { say("请先在这条消息里选中实体的文字。"); return; }
      var parts = entity.value.split(":");
      spans.push({ start: span.start, end: span.end, entity: parts[0], role: parts[1] || null });
      showSpans();
    });
    var save = el("button", "small-button primary", "保存");
    save.type = "button";
    save.addEventListener("click", function () {
      label([{ id: message.id, intent: intent.value, entities: spans }]);
    });
    [intent, entity, mark, marked, save].forEach(function (node) { controls.appendChild(node); });
    row.appendChild(controls);
    row.intentSelect = intent;
    return row;
  }

  function groupSection(group) {
    var section = el("section", "review-group");
    var first = group.messages[0];
    var groupIntent = choices.intents.indexOf(first.intent) >= 0 ? first.intent : "";
    var head = el("header", "review-head");
    head.appendChild(el("strong", null, group.size + " 条"));
    if (group.size > 1) {
      head.appendChild(el("span", "small", group.shared_words.length ? " 共同词：" + group.shared_words.join(" / ") : " 相同的说法"));
    }
    var intent = select(choices.intents, groupIntent, "整组的意图", "请选择意图");
    var all = el("button", "small-button primary", "整组标为此意图");
    all.type = "button";
    head.appendChild(intent);
    head.appendChild(all);
    section.appendChild(head);
    var list = el("ul", "review-list");
    var rows = group.messages.map(function (message) { return messageRow(message, groupIntent); });
    rows.forEach(function (row) { list.appendChild(row); });
    all.addEventListener("click", function () {
      label(group.messages.map(function (message) { return { id: message.id, intent: intent.value, entities: [] }; }));
    });
    section.appendChild(list);
    return section;
  }

  function render(data) {
    choices = { intents: data.intents, entities: data.entities };
    var groups = document.getElementById("groups");
    clear(groups);
    if (!data.groups.length) { groups.appendChild(el("p", "empty", "这段时间没有待复核的消息。")); return; }
    data.groups.forEach(function (group) { groups.appendChild(groupSection(group)); });
    if (data.truncated) { groups.appendChild(el("p", "small", "只显示最近的 500 条；复核后会显示更早的。")); }
  }

  function load() {
    return Console.api("GET", "/review?days=" + document.getElementById("days").value).then(render)
      .catch(function (error) { say(error.message); });
  }

  function label(items) {
    if (items.some(function (item) { return !item.intent; })) { say("请先选择意图。"); return; }
    Console.api("POST", "/review/labels", { items: items }).then(function (answer) {
      say("已保存 " + answer.labelled.length + " 条。");
      return load();
    }).catch(function (error) { say(error.message); });
  }

  document.getElementById("write").addEventListener("click", function () {
    Console.api("POST", "/review/export").then(function (answer) {
      say("已写入 " + answer.examples + " 条样例，重新训练后生效。");
    }).catch(function (error) { say(error.message); });
  });
  document.getElementById("days").addEventListener("change", load);
  Console.setupLogout();
  load();
})();
