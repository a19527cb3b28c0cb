// Gongzhi's own small scripts. Libraries (htmx, Bootstrap, Leaflet, ECharts) come from npm.
document.addEventListener("htmx:responseError", function (evt) {
  // Show the server's message (already in the user's language) instead of failing silently.
  var target = evt.detail.target;
  var text = evt.detail.xhr.responseText || "";
  if (target && text && text.length < 2000 && !/<html/i.test(text)) {
    target.innerHTML = text;
  }
});
