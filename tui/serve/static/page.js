// rapport serve's page. Once the app has drawn its first screen (textual.js marks the body
// "-first-byte"), the terminal takes the keyboard: the passphrase can be typed without clicking
// into the page first.
new MutationObserver((changes, observer) => {
  if (document.body.classList.contains("-first-byte")) {
    observer.disconnect();
    const keyboard = document.querySelector(".xterm-helper-textarea");
    if (keyboard) keyboard.focus();
  }
}).observe(document.body, { attributes: true, attributeFilter: ["class"] });
