// The approver device's only script (the Content-Security-Policy allows no inline script).
// It runs the WebAuthn ceremonies with the options the server rendered into data attributes
// and posts the result in a hidden field; the server verifies everything.
'use strict';

(function () {
  function say(form, text) {
    const status = form.querySelector('.status');
    if (status) {
      status.textContent = text;
    }
  }

  function supported(form) {
    if (window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON) {
      return true;
    }
    say(form, 'This browser cannot use passkeys. Use a current browser on a device with a screen lock.');
    return false;
  }

  function enrol(form) {
    form.addEventListener('submit', async function (event) {
      if (form.elements.credential.value) {
        return;
      }
      event.preventDefault();
      if (!supported(form)) {
        return;
      }
      say(form, 'Follow your device to create the passkey…');
      try {
        const options = PublicKeyCredential.parseCreationOptionsFromJSON(JSON.parse(form.dataset.options));
        const credential = await navigator.credentials.create({ publicKey: options });
        form.elements.credential.value = JSON.stringify(credential.toJSON());
        form.requestSubmit(event.submitter);
      } catch (error) {
        say(form, 'No passkey was created (' + error.name + '). You can try again.');
      }
    });
  }

  function decide(form) {
    form.addEventListener('submit', async function (event) {
      if (form.dataset.mode !== 'passkey' || form.elements.assertion.value) {
        return;
      }
      event.preventDefault();
      if (!supported(form)) {
        return;
      }
      const verdict = event.submitter ? event.submitter.value : '';
      const json = verdict === 'deny' ? form.dataset.denyOptions : form.dataset.approveOptions;
      say(form, 'Confirm with your passkey to ' + verdict + '…');
      try {
        const options = PublicKeyCredential.parseRequestOptionsFromJSON(JSON.parse(json));
        const assertion = await navigator.credentials.get({ publicKey: options });
        form.elements.assertion.value = JSON.stringify(assertion.toJSON());
        form.requestSubmit(event.submitter);
      } catch (error) {
        say(form, 'Nothing was decided: the passkey was not used (' + error.name + ').');
      }
    });
  }

  // The time left, counted down live from the server's expiry (the server still refuses a late
  // decision; this only keeps the number honest while the page stays open).
  function countdown(time) {
    const expires = Date.parse(time.getAttribute('datetime'));
    if (isNaN(expires)) {
      return;
    }
    function tick() {
      const left = Math.floor((expires - Date.now()) / 1000);
      if (left <= 0) {
        time.textContent = 'expired';
        return;
      }
      const h = Math.floor(left / 3600);
      const m = Math.floor((left % 3600) / 60);
      const s = left % 60;
      time.textContent = h > 0 ? h + ' h ' + m + ' min left' : m > 0 ? m + ' min ' + s + ' s left' : s + ' s left';
      setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('time[data-live]').forEach(countdown);
    const enrolForm = document.getElementById('enrol');
    if (enrolForm) {
      enrol(enrolForm);
    }
    const decisionForm = document.getElementById('decision');
    if (decisionForm) {
      decide(decisionForm);
    }
  });
})();
