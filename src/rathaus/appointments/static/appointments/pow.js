// Proof of work for the booking form (ALTCHA protocol v1): find the number n for which
// SHA-256(salt + n) equals the server's challenge, then send it with the form.
// Without this script (or without WebCrypto) the form is sent as it is and the server
// falls back to the waiting ticket; nothing breaks.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  async function solve(salt, challenge, max) {
    var encoder = new TextEncoder();
    for (var n = 0; n <= max; n += 1) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(salt + n));
      if (hex(digest) === challenge) {
        return n;
      }
    }
    return null;
  }

  function attach(form) {
    var field = form.querySelector("[data-app-pow-field]");
    var status = form.querySelector("[data-app-pow-status]");
    var busy = false;
    form.addEventListener("submit", async function (event) {
      if (field.value || !window.crypto || !crypto.subtle || form.dataset.powAlgorithm !== "SHA-256") {
        return;
      }
      event.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      if (status) {
        status.textContent = status.dataset.working || "Sicherheitsprüfung läuft …";
      }
      var salt = form.dataset.powSalt;
      var number = await solve(salt, form.dataset.powChallenge, parseInt(form.dataset.powMax, 10));
      if (number !== null) {
        field.value = btoa(JSON.stringify({
          algorithm: "SHA-256",
          challenge: form.dataset.powChallenge,
          number: number,
          salt: salt,
          signature: form.dataset.powSignature
        }));
      }
      form.submit();
    });
  }

  document.querySelectorAll("form[data-app-pow]").forEach(attach);
})();
