// How both chat pages draw a message's text live, exactly as the server does after a reload
// (Django's `linebreaksbr` in public/conversation.html and console/conversation.html): text
// nodes with one <br> per line break, never markup (no innerHTML: what was typed stays text),
// in its own direction (`dir="auto"`), so an English message reads left to right inside the
// Arabic site and an Arabic one right to left inside the console (issue 21).

/** The message body: a `span` of the given class holding the text, line breaks kept. */
export function messageBody(text, className = "body") {
  const body = document.createElement("span");
  body.className = className;
  body.dir = "auto";
  String(text ?? "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .forEach((line, i) => {
      if (i) body.append(document.createElement("br"));
      if (line) body.append(line);
    });
  return body;
}

/** A name or other short text of unknown direction, isolated from the words around it. */
export function isolated(text) {
  const bdi = document.createElement("bdi");
  bdi.textContent = text ?? "";
  return bdi;
}

/** A message's time as the server writes it after a reload (`H:i` in the line's time zone,
 * settings.TIME_ZONE, named beside the messages), never the browser's own clock: a
 * `<time>` holding hh:mm, with its day first ("30.11. 21:05") when that is not today in
 * the line's time zone, as a written exchange runs over days; its `datetime` the exact
 * moment. `timeZone` is the list's `data-time-zone`. Nothing for a message not yet stored. */
export function messageTime(iso, timeZone) {
  const time = document.createElement("time");
  if (!iso) return time;
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: timeZone || undefined,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const partsOf = (moment) => {
    const parts = format.formatToParts(moment);
    return (type) => parts.find((p) => p.type === type)?.value ?? "";
  };
  const part = partsOf(new Date(iso));
  const today = partsOf(new Date());
  const day = ["year", "month", "day"].every((type) => part(type) === today(type))
    ? ""
    : `${Number(part("day"))}.${Number(part("month"))}. `;
  time.dateTime = iso;
  time.textContent = `${day}${part("hour")}:${part("minute")}`;
  return time;
}
