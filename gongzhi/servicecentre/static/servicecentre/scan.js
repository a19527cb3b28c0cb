// The check-in desk's scanner: where the browser has a camera and the BarcodeDetector API, the
// "Scan" button reads the QR code of a registration into the code field and sends the form.
// Without them the button stays hidden and staff type the code.
(function () {
  "use strict";
  var button = document.querySelector("[data-scan]");
  var form = document.querySelector("[data-check-in-form]");
  if (!button || !form || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  var video = document.querySelector("[data-scan-video]");
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.hidden = false;
      video.srcObject = stream;
      video.play();
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            form.querySelector("[name=code]").value = codes[0].rawValue;
            form.submit();
          } else {
            window.requestAnimationFrame(tick);
          }
        }).catch(function () { window.requestAnimationFrame(tick); });
      };
      tick();
    });
  });
})();
