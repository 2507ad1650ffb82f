// Mends a gap in a conversation's messages while the socket stays open (decision 0008).
//
// Every message has the next `seq` of its conversation, and a page hears each one as an event,
// or as the `ack` of its own. An event the channel layer lost (a failed publish, a subscriber
// Redis dropped) would otherwise stay missing for good: a reconnect asks only for what comes
// after the highest seq the page has. So when a message arrives whose `seq` is beyond the
// highest one the page had plus one, the page waits a moment (the missing one may be its own,
// still on its way back as an ack, or an event still in flight) and, if a seq in between is
// still missing, asks for every message after the lowest missing one: `ask(lastSeq)` sends
// the page's `catch_up` frame and says whether it went out. Each gap is asked for once while
// the socket stays open (a seq the server no longer has, purged say, is not asked for over
// and over); a new gap asks again, from the lowest seq still missing, so one question that
// came back empty-handed (the server briefly unavailable) does not silence later ones. A gap
// still open when the socket reconnects is covered by the page's `hello`/`watch`, which
// resumes from `resumeFrom(highest)` rather than from the highest. A lost *last* message has
// no later seq to reveal it: the server's periodic look sends the conversation's highest seq
// (the `latest` frame), and `latest(seq)` treats any seq up to it the page lacks as a gap.
//
// Used by both chat pages (public/chat.js, console/chat.js): `has(seq)` tells whether the page
// shows that message, `arrived(seq)` is called for every message the page is given, before it
// shows it.

const WAIT = 2000;

export function messageGaps({ has, highest, ask, wait = WAIT }) {
  let top = null; // the highest seq the page has had; read from the page at the first message
  let gaps = []; // {first, last, asked} for gaps not yet seen filled
  let timer = null;

  // The seq before the lowest one still missing, or null when none is; drops filled gaps.
  function lowestMissing() {
    let after = null;
    gaps = gaps.filter((gap) => {
      for (let seq = gap.first; seq <= gap.last; seq += 1) {
        if (!has(seq)) {
          after = after === null ? seq - 1 : Math.min(after, seq - 1);
          return true;
        }
      }
      return false;
    });
    return after;
  }

  function check() {
    timer = null;
    const after = lowestMissing();
    if (after === null || gaps.every((gap) => gap.asked)) return;
    if (ask(after)) for (const gap of gaps) gap.asked = true;
  }

  return {
    arrived(seq) {
      if (!Number.isInteger(seq)) return;
      if (top === null) top = highest();
      if (seq > top + 1) {
        gaps.push({ first: top + 1, last: seq - 1, asked: false });
        if (timer === null) timer = setTimeout(check, wait);
      }
      top = Math.max(top, seq);
    },
    // The conversation's highest seq as the server last looked: the seqs above the page's
    // highest up to it are a gap, asked for after the wait unless they come meanwhile (an
    // event still on its way).
    latest(seq) {
      if (!Number.isInteger(seq)) return;
      if (top === null) top = highest();
      if (seq > top) {
        gaps.push({ first: top + 1, last: seq, asked: false });
        if (timer === null) timer = setTimeout(check, wait);
        top = seq;
      }
    },
    // The `last_seq` for a (re)connect's hello or watch: below any gap still open, which the
    // new connection's answer covers.
    resumeFrom(highestSeq) {
      const after = lowestMissing();
      for (const gap of gaps) gap.asked = true;
      return after === null ? highestSeq : Math.min(after, highestSeq);
    },
  };
}
