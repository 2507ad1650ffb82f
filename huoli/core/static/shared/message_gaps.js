// Mends a gap in a conversation's messages while the socket stays open (decision 0008).
//
// Every message has the next `seq` of its conversation, and a page hears each one as an event,
// or as the `ack` of its own. An event the channel layer lost (a failed publish, a subscriber
// Redis dropped) would otherwise stay missing until the next reconnect's catch-up. So when a
// message arrives whose `seq` is beyond the highest one the page had plus one, the page waits
// a moment (the missing one may be its own, still on its way back as an ack, or an event
// still in flight) and, if a seq in between is still missing, asks for every message after
// the last one before the gap: `ask(lastSeq)` sends the page's `hello` or `watch` again.
// One question per gap: a seq the server has not got to send (purged, say) is not asked for
// over and over.
//
// Used by both chat pages (public/chat.js, console/chat.js): `has(seq)` tells whether the page
// shows that message, `arrived(seq)` is called for every message the page is given.

const WAIT = 2000;

export function messageGaps({ has, highest, ask, wait = WAIT }) {
  let top = null; // the highest seq the page has had; read from the page at the first message
  let gaps = []; // [first missing, last missing] pairs, to check when the timer fires
  let timer = null;
  let asked = null; // the seq the page last asked after: once per gap

  function check() {
    timer = null;
    let after = null;
    for (const [first, last] of gaps) {
      for (let seq = first; seq <= last; seq += 1) {
        if (!has(seq)) {
          after = after === null ? seq - 1 : Math.min(after, seq - 1);
          break;
        }
      }
    }
    gaps = [];
    if (after !== null && after !== asked) {
      asked = after;
      ask(after);
    }
  }

  return {
    // Before the page shows the message.
    arrived(seq) {
      if (top === null) top = highest();
      if (seq > top + 1) {
        gaps.push([top + 1, seq - 1]);
        if (timer === null) timer = setTimeout(check, wait);
      }
      top = Math.max(top, seq);
    },
  };
}
