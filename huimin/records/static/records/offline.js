/* Offline-friendly record forms: every keystroke is kept in localStorage (per page
 * address) until the server has saved the form, and a failed submit (no network, 5xx,
 * expired session) leaves the typed form where it is. Without this script the form
 * posts normally. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline]");
  if (!form || !window.localStorage || !window.fetch) return;
  var PREFIX = "huimin:form:";
  // Per user: on a shared clinic PC one doctor's typing is never offered to another.
  var key = PREFIX + (form.getAttribute("data-user") || "") + ":" + location.pathname + location.search;
  var WEEK = 7 * 24 * 3600 * 1000;
  var status = document.getElementById("offline-status");
  var serverSaved = parseInt(form.getAttribute("data-saved") || "0", 10);

  function say(text) { if (status) status.textContent = text; }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" &&
        !/^(hidden|submit|button|file)$/.test(el.type);
    });
  }
  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function store() {
    var values = fields().filter(function (el) {
      return !/^(checkbox|radio)$/.test(el.type) || el.checked;
    }).map(function (el) { return [el.name, el.value]; });
    try {
      localStorage.setItem(key, JSON.stringify({ t: Date.now(), v: values }));
      say("本地已暂存 " + new Date().toLocaleTimeString());
    } catch (e) { say("本地暂存失败（存储空间不足）"); }
  }
  function restore(saved) {
    var byName = {};
    saved.v.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    fields().forEach(function (el) {
      var vals = byName[el.name] || [];
      if (/^(checkbox|radio)$/.test(el.type)) el.checked = vals.indexOf(el.value) >= 0;
      else el.value = vals.length ? vals[0] : "";
    });
    say("已恢复本地暂存的内容（" + new Date(saved.t).toLocaleString() + "），尚未提交");
  }
  function show(html, url) {
    // The address first: the new page's own copy of this script may run while the
    // page is being written, and it keys the local copy by the address it sees.
    if (url) history.replaceState(null, "", url);
    document.open();
    document.write(html);
    document.close();
  }

  // Typed forms abandoned for a week are dropped: residents' data stays no longer.
  Object.keys(localStorage).forEach(function (k) {
    if (k.indexOf(PREFIX) !== 0) return;
    try { if (Date.now() - JSON.parse(localStorage.getItem(k)).t < WEEK) return; } catch (e) {}
    localStorage.removeItem(k);
  });
  var saved = read();
  if (saved && saved.t > serverSaved) restore(saved);
  form.addEventListener("input", store);
  form.addEventListener("change", store);

  // Older browsers have no SubmitEvent.submitter: remember the button pressed, so that
  // 签名提交 never turns into a draft save.
  var pressed = null;
  form.addEventListener("click", function (ev) {
    if (ev.target.type === "submit") pressed = ev.target;
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    store();
    var data = new FormData(form);
    var button = ev.submitter || pressed;
    if (button && button.name) data.append(button.name, button.value);
    say("正在提交……");
    // getAttribute: the buttons are named "action", which shadows form.action.
    var url = new URL(form.getAttribute("action") || location.href, location.href);
    fetch(url.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (res) {
      if (res.status >= 500) throw new Error("server " + res.status);
      return res.text().then(function (html) {
        if (res.ok && res.headers.get("X-Huimin-Saved")) {
          // Saved on the server: the local copy has done its job.
          localStorage.removeItem(key);
          show(html, res.headers.get("X-Form-Url") || res.url);
        } else if (res.ok) {
          say("未能确认已保存（登录可能已过期）；内容已在本地暂存，请在新窗口登录后再提交。");
        } else if (res.status === 422 || res.status === 409) {
          show(html, null); // refused with reasons; the page holds what was typed
        } else {
          say("提交被拒绝（" + res.status + "，可能需要重新登录）；内容已在本地暂存，请登录后回到本页。");
        }
      });
    }).catch(function () {
      say("网络中断或服务器出错，未能提交；内容已在本地暂存，请稍后再点提交。");
    });
  });
})();
