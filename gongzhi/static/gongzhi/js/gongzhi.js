// Gongzhi's own small scripts. Libraries (htmx, Bootstrap, Leaflet, ECharts) come from npm.
document.addEventListener("htmx:responseError", function (evt) {
  // Show the server's message (already in the user's language) instead of failing silently.
  var target = evt.detail.target;
  var text = evt.detail.xhr.responseText || "";
  if (target && text && text.length < 2000 && !/<html/i.test(text)) {
    target.innerHTML = text;
  }
});

// Small behaviours declared in the markup with data- attributes, so that no page needs an
// inline script or event handler (the Content-Security-Policy allows scripts from files only).
document.addEventListener("submit", function (evt) {
  var form = evt.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    evt.preventDefault();
    return;
  }
  if (form.dataset.busy) {
    var busy = document.getElementById(form.dataset.busy);
    if (busy) busy.hidden = false;
    var submit = form.querySelector("[type=submit]");
    if (submit) submit.disabled = true;
  }
});
document.addEventListener("change", function (evt) {
  if (evt.target.matches && evt.target.matches("[data-autosubmit]") && evt.target.form) {
    evt.target.form.submit();
  }
});
document.addEventListener("click", function (evt) {
  if (evt.target.closest && evt.target.closest("[data-print]")) window.print();
});
document.addEventListener("focusin", function (evt) {
  if (evt.target.matches && evt.target.matches("[data-select-on-focus]")) evt.target.select();
});

// An element polling with htmx (hx-trigger="every …") skips its request while anything on the
// page matches its data-gz-paused-by selector (e.g. cases ticked for a bulk dispatch).
document.addEventListener("htmx:confirm", function (evt) {
  var el = evt.detail.elt;
  var selector = el && el.dataset && el.dataset.gzPausedBy;
  if (selector && document.querySelector(selector)) evt.preventDefault();
});
