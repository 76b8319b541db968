/** Russian. Numbers choose their form by Russian plural rules (one: 1, 21; few: 2–4, 22; many: 5–20). */
export default `
acknowledged = ⏳ Понял, скачиваю…
uploading = 📤 Отправляю…
cancelled = 🚫 Отменено.
settings-saved = Сохранено ✓
settings-admins-only = Менять настройки этого чата могут только администраторы.
settings-title = ⚙️ Настройки этого чата: что я присылаю по умолчанию, максимальное качество видео и язык.
link-progress = ⏳ Ссылка { $index } из { $count }: скачиваю…
done-none = { $count ->
        [one] ❌ Не удалось отправить ни одну из { $count } ссылки.
       *[other] ❌ Не удалось отправить ни одну из { $count } ссылок.
    }
done-all = ✅ Отправлены все ссылки: { $count }.
done-some = ✅ Отправлено ссылок: { $delivered } из { $count }.
album-cap-note = ℹ️ В этой галерее элементов: { $available }; я отправил первые { $sent }.
cancel-one = 🚫 Отменяю…
cancel-many = 🚫 Отменяю запросы ({ $count })…
cancel-refused = Отменить может только тот, кто прислал ссылку, или администратор.
cancel-nothing = Нечего отменять: сейчас ничего не скачивается.
help =
    Пришлите мне ссылку на видео или аудио (YouTube, новостные сайты, прямая ссылка на .mp4 или .mp3, …), и я пришлю файл сюда. До 10 ссылок в одном сообщении, по порядку.

    /dl <ссылка> – то же, что просто ссылка; в группе, где я отвечаю только по просьбе, так меня и просят
    /audio <ссылка> – только звук
    /clip <ссылка> 1:30 2:45 – только этот фрагмент (или напишите 1:30-2:45 после любой ссылки)
    /playlist <ссылка> 2-5 – эти элементы плейлиста, по одному (также 3,7,9 или -3 – последние три)
    /cancel – остановить ваши загрузки; в ответ на ссылку или на моё сообщение ⏳ – только эту
    /settings – что этот чат получает по умолчанию (видео, аудио или файл, или спрашивать каждый раз), максимальное качество, делить ли слишком большие видео на части, и язык
    /help – это сообщение

    Я сразу отвечаю «⏳» с кнопкой «Отмена», а потом присылаю файл, в пределах лимита Telegram на загрузку. Если не получится, объясню почему.
no-link = Пришлите мне ссылку (начинается с http:// или https://), и я скачаю для вас медиа. Подробнее – /help.
invalid-range = ❌ Не могу вырезать этот фрагмент: { $problem }. Напишите нужную часть после ссылки, например 1:30-2:45.
problem-not-a-time = «{ $text }» – это не время (пишите 90, 1:30 или 1:02:03)
problem-same-bounds = начало и конец совпадают ({ $time })
problem-end-before-start = конец ({ $end }) раньше начала ({ $start })
problem-not-a-clip-range = «{ $word }» – это не диапазон (пишите начало-конец, например 1:30-2:45)
problem-clip-needs-link-example = после /clip нужны ссылка, начало и конец (/clip ссылка 1:30 2:45)
problem-clip-needs-link = после /clip нужны ссылка, начало и конец
problem-clip-needs-end = после начала ({ $start }) нужен конец
problem-playlist-needs-link = после /playlist нужна ссылка (/playlist <ссылка> 1-5)
problem-playlist-one-word = напишите диапазон одним словом после ссылки, например 1-5 или 3,7,9 (получено «{ $got }»)
problem-asks-no-entry = «{ $word }» не выбирает ни одного элемента: -3 – это последние три
problem-asks-beyond-last = «{ $word }» просит больше, чем последние { $max }
problem-ends-before-start = «{ $word }» заканчивается раньше, чем начинается
problem-too-many-entries = «{ $word }» называет больше { $max } элементов
problem-not-a-playlist-range = «{ $word }» – это не диапазон: пишите 1-5, 3,7,9 или -3 (последние три)
problem-beyond-media = запись длится { $duration }, в ней нет { $range }
range-outside-media = фрагмент выходит за пределы записи
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ Не могу разобрать эту ссылку: { $url }
    Пришлите полную ссылку, начинающуюся с http:// или https://.
failure-blocked-address = ❌ Эта ссылка ведёт на адрес в частной или локальной сети, поэтому я её не открываю.
failure-unsupported-url = ❌ Этот сайт не поддерживается, или на странице нет ни видео, ни аудио.
failure-content-unavailable = ❌ Скачать не удалось: материал закрыт или недоступен (удалён, заблокирован в вашем регионе или требует входа).
failure-no-media = ❌ По этой ссылке нечего скачать.
failure-too-large-size = ❌ Файл слишком большой: { $size }, а боты Telegram могут отправлять не больше { $limit }.
failure-too-large = ❌ Файл слишком большой: боты Telegram могут отправлять не больше { $limit }.
failure-telegram-bad-request = ❌ Telegram не принял этот файл.
failure-telegram-rate-limited = ❌ Telegram попросил меня сбавить темп, и я не успел это отправить. Пришлите ссылку ещё раз через минуту.
failure-disk-space = ❌ На сервере сейчас не хватает места на диске; попробуйте позже.
failure-quota = ❌ Вы прислали слишком много ссылок. Пришлите эту ещё раз чуть позже.
failure-unreadable-pictures = ❌ Картинки по этой ссылке в формате, который я не могу прочитать или отправить.
failure-other = ❌ Скачать не удалось: сайт ответил не так, как нужно. Попробуйте позже.
private-bot = Это частный бот.
quota-concurrent = { $limit ->
        [1] У вас уже идёт загрузка — пришлите ссылку ещё раз, когда она закончится.
       *[other] У вас уже идут загрузки ({ $limit }) — пришлите ссылку ещё раз, когда одна из них закончится.
    }
quota-hourly = { $sent ->
        [one] За последний час вы прислали { $sent } ссылку — попробуйте снова через { $minutes } мин.
        [few] За последний час вы прислали { $sent } ссылки — попробуйте снова через { $minutes } мин.
       *[many] За последний час вы прислали { $sent } ссылок — попробуйте снова через { $minutes } мин.
    }
size-bytes = { $value } Б
size-kb = { $value } КБ
size-mb = { $value } МБ
size-gb = { $value } ГБ
speed = { $size }/с
quality-audio = 🎵 Аудио
quality-file = 📄 Файл
quality-option-size = { $name } · ~{ $size }
quality-question-title = «{ $title }»: какое качество?
quality-question = Какое качество?
quality-wait = Размеры примерные. Если за { $wait } ничего не выбрать, пришлю то, что в этом чате по умолчанию.
wait-minutes = { $minutes } мин
wait-seconds = { $seconds } с
quality-chosen = { $label } ✓
quality-chosen-audio = аудио ✓
quality-chosen-file = файл ✓
quality-not-yours = Выбрать может только тот, кто прислал ссылку (или администратор).
playlist-progress = ⏳ Плейлист: элемент { $entry } из { $entries }…
playlist-listing = ⏳ Понял, читаю плейлист…
playlist-range = ❌ Не могу разобрать диапазон плейлиста: { $problem }. Напишите его после ссылки: /playlist <ссылка> 1-5, 3,7,9 или -3 (последние три).
playlist-nothing-range = ❌ В плейлисте элементов: { $available }; ни одного из { $range } в нём нет.
playlist-nothing = ❌ В плейлисте нет элементов, которые я могу отправить.
playlist-cancelled = 🚫 Отменено. Отправлено элементов плейлиста: { $delivered } из { $total }.
playlist-all = ✅ Отправлены все элементы плейлиста: { $total }.
playlist-none = ❌ Не удалось отправить ни один элемент плейлиста (всего { $total }).
playlist-some = ✅ Отправлено элементов плейлиста: { $delivered } из { $total }.
playlist-item-failed = ❌ элемент { $index }: { $reason }
playlist-left-out = ℹ️ Не вошло запрошенных элементов: { $leftOut } — в одном плейлисте не больше { $cap }.
playlist-missing = ℹ️ Запрошенных элементов нет в плейлисте: { $missing }.
reason-too-large = слишком большой для отправки
reason-unavailable = недоступен
reason-no-media = медиа не найдено
reason-refused-link = ссылка отклонена
progress-item = { $text } (элемент { $item } из { $items })
progress-probing = ⏳ Смотрю ссылку…
progress-waiting-converter = ⚙️ Жду свободный конвертер…
progress-converting = ⚙️ Конвертирую для Telegram…
progress-downloading = ⏳ Скачиваю…
progress-of = { $done } из { $total }
part-caption = часть { $part }
button-cancel = ✖ Отмена
button-video = 🎬 Видео
button-audio = 🎵 Аудио
button-file = 📄 Файл
button-ask = ❓ Спрашивать каждый раз
button-best = Лучшее
button-split = ✂ Делить большие видео
button-no-split = Не делить
button-links-all = 🔗 Все ссылки
button-links-asked = 🙋 Только по просьбе
button-failures-say = 💬 Сообщать об ошибках
button-failures-react = 👎 Реакция
button-failures-silent = 🤫 Молча
button-language-auto = 🌐 Авто
`;
