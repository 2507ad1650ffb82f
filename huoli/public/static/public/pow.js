// The flood switch's proof of work (see conversations/flood.py): before the chat starts, find a
// nonce whose SHA-256 with the signed challenge begins with the asked number of zero bits.
// Without Web Crypto the form goes as it is and the server offers its waiting room.
const form = document.querySelector("form[data-pow]");

function leadingZeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) { bits += 8; continue; }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function askedBits(challenge) {
  // The challenge is Django's signed, base64url JSON: {"k":"pow","b":<bits>,...}.
  try {
    const payload = challenge.split(":")[0];
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(json).b;
  } catch {
    return null;
  }
}

async function solve(challenge, bits) {
  const encoder = new TextEncoder();
  const batch = 512;
  for (let start = 0; ; start += batch) {
    const tries = [];
    for (let n = start; n < start + batch; n++) {
      tries.push(
        crypto.subtle
          .digest("SHA-256", encoder.encode(`${challenge}:${n.toString(36)}`))
          .then((digest) => [n, leadingZeroBits(new Uint8Array(digest))]),
      );
    }
    for (const [n, zeros] of await Promise.all(tries)) {
      if (zeros >= bits) return n.toString(36);
    }
  }
}

if (form && window.crypto && crypto.subtle) {
  let solving = false;
  form.addEventListener("submit", async (event) => {
    const nonce = form.elements.pow_nonce;
    if (nonce.value) return;
    event.preventDefault();
    if (solving) return;
    const challenge = form.elements.pow_challenge.value;
    const bits = askedBits(challenge);
    if (!Number.isInteger(bits)) { nonce.value = "-"; form.submit(); return; }
    solving = true;
    const status = form.querySelector("[data-pow-status]");
    const button = form.querySelector("button[type=submit]");
    status.hidden = false;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    nonce.value = await solve(challenge, bits);
    form.submit();
  });
}
