"use strict";
(function () {
  var form = document.getElementById("login");
  var error = document.getElementById("login-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    fetch("/console/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        username: document.getElementById("username").value,
        password: document.getElementById("password").value
      })
    }).then(function (response) {
      if (response.ok) { window.location.assign("/console/"); return; }
      return response.json().then(function (body) {
        error.textContent = (body && body.detail && body.detail.message) || "登录失败，请重试。";
      });
    }).catch(function () { error.textContent = "网络异常，请稍后再试。"; });
  });
})();
