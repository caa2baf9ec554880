"use strict";
// Shared by the console pages. Every text from a customer or the server goes in with textContent, never HTML.
var Console = (function () {
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function api(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch("/console/api" + path, options).then(function (response) {
      if (response.status === 401) { window.location.assign("/console/login"); throw new Error("login"); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = (data && data.detail && data.detail.message) || ("请求失败（" + response.status + "）");
          var error = new Error(message);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) { return seconds + " 秒"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " 分 " + (seconds % 60) + " 秒"; }
    return Math.floor(seconds / 3600) + " 小时 " + Math.floor((seconds % 3600) / 60) + " 分";
  }

  function time(iso) {
    if (!iso) { return ""; }
    var date = new Date(iso);
    if (isNaN(date.getTime())) { return String(iso); }
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return (date.getMonth() + 1) + "-" + two(date.getDate()) + " " + two(date.getHours()) + ":" + two(date.getMinutes());
  }

  function setupLogout() {
    var button = document.getElementById("logout");
    if (!button) { return; }
    button.addEventListener("click", function () {
      api("POST", "/logout").finally(function () { window.location.assign("/console/login"); });
    });
    api("GET", "/me").then(function (me) {
      document.getElementById("me").textContent = me.display_name + "（" + (me.team_name || me.team) + "）";
      if (me.role === "supervisor") {
        Array.prototype.forEach.call(document.querySelectorAll(".nav-supervisor"), function (link) { link.hidden = false; });
      }
    }).catch(function () {});
  }

  return { el: el, api: api, clear: clear, duration: duration, time: time, setupLogout: setupLogout };
})();
