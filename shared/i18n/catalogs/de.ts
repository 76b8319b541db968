/** German. */
export default `
acknowledged = ⏳ Alles klar, lade herunter…
uploading = 📤 Wird hochgeladen…
cancelled = 🚫 Abgebrochen.
settings-saved = Gespeichert ✓
settings-admins-only = Nur Admins können die Einstellungen dieses Chats ändern.
settings-title = ⚙️ Einstellungen für diesen Chat: was ich standardmäßig sende, die höchste Videoqualität und die Sprache.
link-progress = ⏳ Link { $index } von { $count }: wird heruntergeladen…
done-none = ❌ Keiner der { $count } Links konnte gesendet werden.
done-all = ✅ Alle { $count } Links gesendet.
done-some = ✅ { $delivered } von { $count } Links gesendet.
album-cap-note = ℹ️ Diese Galerie hat { $available } Elemente; ich habe die ersten { $sent } gesendet.
cancel-one = 🚫 Wird abgebrochen…
cancel-many = 🚫 { $count } Anfragen werden abgebrochen…
cancel-refused = Nur wer den Link gesendet hat, oder ein Admin, kann ihn abbrechen.
cancel-nothing = Nichts abzubrechen: Es läuft kein Download.
help =
    Schick mir einen Link zu einem Video oder Audio (YouTube, Nachrichtenseiten, ein direkter .mp4- oder .mp3-Link, …), und ich schicke dir die Datei hierher. Bis zu 10 Links pro Nachricht, der Reihe nach.

    /dl <Link> – wie ein einfacher Link; in einer Gruppe, in der ich nur auf Anfrage antworte, die Art zu fragen
    /audio <Link> – nur der Ton
    /clip <Link> 1:30 2:45 – nur dieser Ausschnitt (oder schreib 1:30-2:45 hinter einen beliebigen Link)
    /playlist <Link> 2-5 – diese Einträge einer Playlist, einer nach dem anderen (auch 3,7,9 oder -3 für die letzten drei)
    /cancel – stoppt deine Downloads; als Antwort auf einen Link oder auf meine ⏳-Nachricht nur diesen
    /settings – was dieser Chat standardmäßig bekommt (Video, Audio oder Datei, oder jedes Mal fragen), die höchste Qualität, ob zu große Videos in Teilen kommen, und die Sprache
    /help – diese Nachricht

    Ich antworte sofort mit "⏳" und einem Abbrechen-Knopf und schicke dann die Datei, bis zum Upload-Limit von Telegram. Wenn das nicht klappt, sage ich dir, warum.
no-link = Schick mir einen Link (beginnend mit http:// oder https://), und ich lade die Medien für dich herunter. Mehr unter /help.
invalid-range = ❌ Diesen Ausschnitt kann ich nicht schneiden: { $problem }. Schreib den gewünschten Teil hinter den Link, z. B. 1:30-2:45.
problem-not-a-time = „{ $text }“ ist keine Zeitangabe (schreib 90, 1:30 oder 1:02:03)
problem-same-bounds = Anfang und Ende sind gleich ({ $time })
problem-end-before-start = das Ende ({ $end }) liegt vor dem Anfang ({ $start })
problem-not-a-clip-range = „{ $word }“ ist kein Bereich (schreib Anfang-Ende, z. B. 1:30-2:45)
problem-clip-needs-link-example = /clip braucht einen Link, dann einen Anfang und ein Ende (/clip Link 1:30 2:45)
problem-clip-needs-link = /clip braucht einen Link, dann einen Anfang und ein Ende
problem-clip-needs-end = /clip braucht nach dem Anfang ({ $start }) ein Ende
problem-playlist-needs-link = /playlist braucht einen Link (/playlist <Link> 1-5)
problem-playlist-one-word = schreib den Bereich als ein Wort hinter den Link, z. B. 1-5 oder 3,7,9 (bekommen: „{ $got }“)
problem-asks-no-entry = „{ $word }“ wählt keinen Eintrag: -3 heißt die letzten drei
problem-asks-beyond-last = „{ $word }“ will mehr als die letzten { $max }
problem-ends-before-start = „{ $word }“ endet, bevor er anfängt
problem-too-many-entries = „{ $word }“ nennt mehr als { $max } Einträge
problem-not-a-playlist-range = „{ $word }“ ist kein Bereich: schreib 1-5, 3,7,9 oder -3 (die letzten drei)
problem-beyond-media = die Aufnahme dauert { $duration }, also gibt es kein { $range }
range-outside-media = der Ausschnitt liegt außerhalb der Aufnahme
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ Diesen Link verstehe ich nicht: { $url }
    Schick einen vollständigen Link, der mit http:// oder https:// beginnt.
failure-blocked-address = ❌ Dieser Link zeigt auf eine Adresse in einem privaten oder lokalen Netz, daher rufe ich ihn nicht ab.
failure-unsupported-url = ❌ Diese Seite wird nicht unterstützt, oder ich habe auf ihr kein Video und kein Audio gefunden.
failure-content-unavailable = ❌ Download fehlgeschlagen: Dieser Inhalt ist privat oder nicht verfügbar (entfernt, regional gesperrt oder nur mit Anmeldung).
failure-no-media = ❌ Unter diesem Link habe ich nichts zum Herunterladen gefunden.
failure-too-large-size = ❌ Diese Datei ist zu groß zum Senden: { $size }, und Telegram-Bots können höchstens { $limit } senden.
failure-too-large = ❌ Diese Datei ist zu groß zum Senden: Telegram-Bots können höchstens { $limit } senden.
failure-telegram-bad-request = ❌ Telegram hat diese Datei nicht angenommen.
failure-telegram-rate-limited = ❌ Telegram hat mich gebremst, und ich konnte das nicht rechtzeitig senden. Bitte schick den Link in einer Minute noch einmal.
failure-disk-space = ❌ Auf dem Server ist gerade zu wenig Speicherplatz; bitte versuch es später noch einmal.
failure-quota = ❌ Du hast mir gerade zu viele Links geschickt. Bitte schick diesen etwas später noch einmal.
failure-unreadable-pictures = ❌ Die Bilder unter diesem Link haben ein Format, das ich nicht lesen oder senden kann.
failure-other = ❌ Download fehlgeschlagen: Die Seite hat nicht richtig geantwortet. Bitte versuch es später noch einmal.
private-bot = Dieser Bot ist privat.
quota-concurrent = { $limit ->
        [1] Bei dir läuft schon ein Download — schick den Link noch einmal, wenn er fertig ist.
       *[other] Bei dir laufen schon { $limit } Downloads — schick den Link noch einmal, wenn einer fertig ist.
    }
quota-hourly = { $sent ->
        [1] Du hast in der letzten Stunde 1 Link geschickt — versuch es in { $minutes } Min. noch einmal.
       *[other] Du hast in der letzten Stunde { $sent } Links geschickt — versuch es in { $minutes } Min. noch einmal.
    }
size-bytes = { $value } Bytes
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
speed = { $size }/s
quality-audio = 🎵 Audio
quality-file = 📄 Datei
quality-option-size = { $name } · ~{ $size }
quality-question-title = „{ $title }“: welche Qualität?
quality-question = Welche Qualität?
quality-wait = Die Größen sind geschätzt. Ohne Auswahl innerhalb von { $wait } sende ich den Standard dieses Chats.
wait-minutes = { $minutes } Min.
wait-seconds = { $seconds } s
quality-chosen = { $label } ✓
quality-chosen-audio = Audio ✓
quality-chosen-file = Datei ✓
quality-not-yours = Nur wer den Link gesendet hat (oder ein Admin) kann wählen.
playlist-progress = ⏳ Playlist: Eintrag { $entry } von { $entries }…
playlist-listing = ⏳ Alles klar, lese die Playlist…
playlist-range = ❌ Diesen Playlist-Bereich kann ich nicht lesen: { $problem }. Schreib ihn hinter den Link: /playlist <Link> 1-5, 3,7,9 oder -3 (die letzten drei).
playlist-nothing-range = ❌ Die Playlist hat { $available } Einträge: Keiner von { $range } ist darin.
playlist-nothing = ❌ Die Playlist hat keine Einträge, die ich senden kann.
playlist-cancelled = 🚫 Abgebrochen: { $delivered } von { $total } Playlist-Einträgen gesendet.
playlist-all = ✅ Alle { $total } Playlist-Einträge gesendet.
playlist-none = ❌ Keiner der { $total } Playlist-Einträge konnte gesendet werden.
playlist-some = ✅ { $delivered } von { $total } Playlist-Einträgen gesendet.
playlist-item-failed = ❌ Eintrag { $index }: { $reason }
playlist-left-out = ℹ️ { $leftOut } weitere gewünschte wurden ausgelassen: höchstens { $cap } Einträge pro Playlist.
playlist-missing = ℹ️ { $missing } gewünschte sind nicht in der Playlist.
reason-too-large = zu groß zum Senden
reason-unavailable = nicht verfügbar
reason-no-media = keine Medien gefunden
reason-refused-link = Link abgelehnt
progress-item = { $text } (Eintrag { $item } von { $items })
progress-probing = ⏳ Sehe mir den Link an…
progress-waiting-converter = ⚙️ Warte auf einen freien Konverter…
progress-converting = ⚙️ Konvertiere für Telegram…
progress-downloading = ⏳ Lade herunter…
progress-of = { $done } von { $total }
part-caption = Teil { $part }
button-cancel = ✖ Abbrechen
button-video = 🎬 Video
button-audio = 🎵 Audio
button-file = 📄 Datei
button-ask = ❓ Jedes Mal fragen
button-best = Beste
button-split = ✂ Große Videos teilen
button-no-split = Nicht teilen
button-links-all = 🔗 Alle Links
button-links-asked = 🙋 Nur auf Anfrage
button-failures-say = 💬 Fehler melden
button-failures-react = 👎 Reaktion
button-failures-silent = 🤫 Still
button-language-auto = 🌐 Automatisch
`;
