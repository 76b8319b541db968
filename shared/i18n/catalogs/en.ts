/**
 * English, the fallback: every key of every catalog is here first. Fluent syntax
 * (https://projectfluent.org/fluent/guide/); `{ $name }` is a placeholder, a `->` block chooses
 * by a number ([1] exactly one, [one]/[few]/[many]/[other] by the language's plural rules).
 */
export default `
acknowledged = ⏳ Got it, downloading…
uploading = 📤 Uploading…
cancelled = 🚫 Cancelled.
settings-saved = Saved ✓
settings-admins-only = Only admins can change the settings of this chat.
settings-title = ⚙️ Settings for this chat: what I send by default, and the highest video quality.
link-progress = ⏳ Link { $index } of { $count }: downloading…
done-none = ❌ None of the { $count } links could be sent.
done-all = ✅ All { $count } links sent.
done-some = ✅ { $delivered } of { $count } links sent.
album-cap-note = ℹ️ This gallery has { $available } items; I sent the first { $sent }.
cancel-one = 🚫 Cancelling…
cancel-many = 🚫 Cancelling { $count } requests…
cancel-refused = Only the person who sent the link, or an admin, can cancel it.
cancel-nothing = Nothing to cancel: no download is running.
help =
    Send me a link to a video or audio (YouTube, news sites, a direct .mp4 or .mp3 link, …) and I will send the media back here. Up to 10 links in one message, handled in order.

    /dl <link> – the same as a plain link; in a group that answers only links asked for, the way to ask
    /audio <link> – only the audio
    /clip <link> 1:30 2:45 – only that part (or write 1:30-2:45 after any link)
    /playlist <link> 2-5 – those entries of a playlist, one by one (also 3,7,9, or -3 for the last three)
    /cancel – stop your downloads; as a reply to a link or to my ⏳ message, just that one
    /settings – this chat’s default (video, audio or file, or ask each time), highest quality, whether videos over the limit come in parts, and the language
    /help – this message

    I reply "⏳" right away, with a Cancel button, then send the file, up to the Telegram upload limit. If I cannot, I tell you why.
no-link = Send me a link (starting with http:// or https://) and I will download the media for you. /help tells more.
invalid-range = ❌ I cannot cut this clip: { $problem }. Write the part you want after the link, e.g. 1:30-2:45.
problem-not-a-time = "{ $text }" is not a time (use 90, 1:30 or 1:02:03)
problem-same-bounds = the start and the end are the same ({ $time })
problem-end-before-start = the end ({ $end }) is before the start ({ $start })
problem-not-a-clip-range = "{ $word }" is not a range (use start-end, e.g. 1:30-2:45)
problem-clip-needs-link-example = /clip needs a link, then a start and an end (/clip link 1:30 2:45)
problem-clip-needs-link = /clip needs a link, then a start and an end
problem-clip-needs-end = /clip needs an end after the start ({ $start })
problem-playlist-needs-link = /playlist needs a link (/playlist <link> 1-5)
problem-playlist-one-word = write the range as one word after the link, e.g. 1-5 or 3,7,9 (got "{ $got }")
problem-asks-no-entry = "{ $word }" asks for no entry: -3 means the last three
problem-asks-beyond-last = "{ $word }" asks for more than the last { $max }
problem-ends-before-start = "{ $word }" ends before it starts
problem-too-many-entries = "{ $word }" names more than { $max } entries
problem-not-a-playlist-range = "{ $word }" is not a range: write 1-5, 3,7,9 or -3 (the last three)
problem-beyond-media = the media lasts { $duration }, so it has no { $range }
range-outside-media = the range is outside the media
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ I could not understand this link: { $url }
    Send a full link that starts with http:// or https://.
failure-blocked-address = ❌ This link points to a private or local network address, so I will not fetch it.
failure-unsupported-url = ❌ This site is not supported, or I found no video or audio on this page.
failure-content-unavailable = ❌ Download failed: this content is private or unavailable (removed, region-locked or sign-in required).
failure-no-media = ❌ I found nothing to download at this link.
failure-too-large-size = ❌ This file is too large to send: { $size }, and Telegram bots can send at most { $limit }.
failure-too-large = ❌ This file is too large to send: Telegram bots can send at most { $limit }.
failure-telegram-bad-request = ❌ Telegram did not accept this file.
failure-telegram-rate-limited = ❌ Telegram asked me to slow down and I could not send this in time. Please send the link again in a minute.
failure-disk-space = ❌ The server is short of disk space right now; please try again later.
failure-quota = ❌ You have sent me too many links for now. Please send this one again a little later.
failure-unreadable-pictures = ❌ The pictures at this link are in a format I cannot read or send.
failure-other = ❌ Download failed: the site did not respond properly. Please try again later.
private-bot = This bot is private.
quota-concurrent = { $limit ->
        [1] You already have a download running — send the link again when it finishes.
       *[other] You already have { $limit } downloads running — send the link again when one finishes.
    }
quota-hourly = { $sent ->
        [1] You've sent 1 link in the last hour — try again in { $minutes } min.
       *[other] You've sent { $sent } links in the last hour — try again in { $minutes } min.
    }
size-bytes = { $value } bytes
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
speed = { $size }/s
quality-audio = 🎵 Audio
quality-file = 📄 File
quality-option-size = { $name } · ~{ $size }
quality-question-title = “{ $title }”: which quality?
quality-question = Which quality?
quality-wait = Sizes are estimates. No choice within { $wait }: I send this chat’s default.
wait-minutes = { $minutes } min
wait-seconds = { $seconds } s
quality-chosen = { $label } ✓
quality-chosen-audio = audio ✓
quality-chosen-file = file ✓
quality-not-yours = Only the person who sent the link (or an admin) can choose.
playlist-progress = ⏳ Playlist: item { $entry } of { $entries }…
playlist-listing = ⏳ Got it, reading the playlist…
playlist-range = ❌ I cannot read this playlist range: { $problem }. Write it after the link: /playlist <link> 1-5, 3,7,9 or -3 (the last three).
playlist-nothing-range = ❌ The playlist has { $available } entries: none of { $range } is in it.
playlist-nothing = ❌ The playlist has no entries I can send.
playlist-cancelled = 🚫 Cancelled: { $delivered } of { $total } playlist items sent.
playlist-all = ✅ All { $total } playlist items sent.
playlist-none = ❌ None of the { $total } playlist items could be sent.
playlist-some = ✅ { $delivered } of { $total } playlist items sent.
playlist-item-failed = ❌ item { $index }: { $reason }
playlist-left-out = ℹ️ { $leftOut } more asked for were left out: at most { $cap } items per playlist.
playlist-missing = ℹ️ { $missing } asked for are not in the playlist.
reason-too-large = too large to send
reason-unavailable = not available
reason-no-media = no media found
reason-refused-link = refused link
progress-item = { $text } (item { $item } of { $items })
progress-probing = ⏳ Looking at the link…
progress-waiting-converter = ⚙️ Waiting for a free converter…
progress-converting = ⚙️ Converting for Telegram…
progress-downloading = ⏳ Downloading…
progress-of = { $done } of { $total }
part-caption = part { $part }
button-cancel = ✖ Cancel
button-video = 🎬 Video
button-audio = 🎵 Audio
button-file = 📄 File
button-ask = ❓ Ask each time
button-best = Best
button-split = ✂ Split big videos
button-no-split = Don’t split
button-links-all = 🔗 Every link
button-links-asked = 🙋 Only links asked for
button-failures-say = 💬 Say failures
button-failures-react = 👎 React
button-failures-silent = 🤫 Silent
button-language-auto = 🌐 Auto
`;
