/** Ukrainian. Numbers choose their form by Ukrainian plural rules (one: 1, 21; few: 2–4, 22; many: 5–20). */
export default `
acknowledged = ⏳ Зрозумів, завантажую…
uploading = 📤 Надсилаю…
cancelled = 🚫 Скасовано.
settings-saved = Збережено ✓
settings-admins-only = Змінювати налаштування цього чату можуть лише адміністратори.
settings-title = ⚙️ Налаштування цього чату: що я надсилаю за замовчуванням, найвища якість відео та мова.
link-progress = ⏳ Посилання { $index } з { $count }: завантажую…
done-none = { $count ->
        [one] ❌ Не вдалося надіслати жодного з { $count } посилання.
       *[other] ❌ Не вдалося надіслати жодного з { $count } посилань.
    }
done-all = ✅ Надіслано всі посилання: { $count }.
done-some = ✅ Надіслано посилань: { $delivered } з { $count }.
album-cap-note = ℹ️ У цій галереї елементів: { $available }; я надіслав перші { $sent }.
cancel-one = 🚫 Скасовую…
cancel-many = 🚫 Скасовую запити ({ $count })…
cancel-refused = Скасувати може лише той, хто надіслав посилання, або адміністратор.
cancel-nothing = Нічого скасовувати: зараз нічого не завантажується.
help =
    Надішліть мені посилання на відео чи аудіо (YouTube, новинні сайти, пряме посилання на .mp4 або .mp3, …), і я надішлю файл сюди. До 10 посилань в одному повідомленні, по черзі.

    /dl <посилання> – те саме, що просто посилання; у групі, де я відповідаю лише на прохання, так мене й просять
    /audio <посилання> – лише звук
    /clip <посилання> 1:30 2:45 – лише цей фрагмент (або напишіть 1:30-2:45 після будь-якого посилання)
    /playlist <посилання> 2-5 – ці елементи плейлиста, по одному (також 3,7,9 або -3 – останні три)
    /cancel – зупинити ваші завантаження; у відповідь на посилання чи на моє повідомлення ⏳ – лише це
    /settings – що цей чат отримує за замовчуванням (відео, аудіо чи файл, або питати щоразу), найвища якість, чи ділити завеликі відео на частини, і мова
    /help – це повідомлення

    Я одразу відповідаю «⏳» з кнопкою «Скасувати», а потім надсилаю файл, у межах ліміту Telegram на завантаження. Якщо не вийде, поясню чому.
no-link = Надішліть мені посилання (починається з http:// або https://), і я завантажу для вас медіа. Докладніше – /help.
invalid-range = ❌ Не можу вирізати цей фрагмент: { $problem }. Напишіть потрібну частину після посилання, наприклад 1:30-2:45.
problem-not-a-time = «{ $text }» – це не час (пишіть 90, 1:30 або 1:02:03)
problem-same-bounds = початок і кінець збігаються ({ $time })
problem-end-before-start = кінець ({ $end }) раніше за початок ({ $start })
problem-not-a-clip-range = «{ $word }» – це не діапазон (пишіть початок-кінець, наприклад 1:30-2:45)
problem-clip-needs-link-example = після /clip потрібні посилання, початок і кінець (/clip посилання 1:30 2:45)
problem-clip-needs-link = після /clip потрібні посилання, початок і кінець
problem-clip-needs-end = після початку ({ $start }) потрібен кінець
problem-playlist-needs-link = після /playlist потрібне посилання (/playlist <посилання> 1-5)
problem-playlist-one-word = напишіть діапазон одним словом після посилання, наприклад 1-5 або 3,7,9 (отримано «{ $got }»)
problem-asks-no-entry = «{ $word }» не вибирає жодного елемента: -3 – це останні три
problem-asks-beyond-last = «{ $word }» просить більше, ніж останні { $max }
problem-ends-before-start = «{ $word }» закінчується раніше, ніж починається
problem-too-many-entries = «{ $word }» називає більше ніж { $max } елементів
problem-not-a-playlist-range = «{ $word }» – це не діапазон: пишіть 1-5, 3,7,9 або -3 (останні три)
problem-beyond-media = запис триває { $duration }, у ньому немає { $range }
range-outside-media = фрагмент виходить за межі запису
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ Не можу розібрати це посилання: { $url }
    Надішліть повне посилання, що починається з http:// або https://.
failure-blocked-address = ❌ Це посилання веде на адресу в приватній або локальній мережі, тож я його не відкриваю.
failure-unsupported-url = ❌ Цей сайт не підтримується, або на сторінці немає ні відео, ні аудіо.
failure-content-unavailable = ❌ Завантажити не вдалося: матеріал приватний або недоступний (видалений, заблокований у вашому регіоні чи потребує входу).
failure-no-media = ❌ За цим посиланням нічого завантажити.
failure-too-large-size = ❌ Файл завеликий: { $size }, а боти Telegram можуть надсилати не більше { $limit }.
failure-too-large = ❌ Файл завеликий: боти Telegram можуть надсилати не більше { $limit }.
failure-telegram-bad-request = ❌ Telegram не прийняв цей файл.
failure-telegram-rate-limited = ❌ Telegram попросив мене пригальмувати, і я не встиг це надіслати. Надішліть посилання ще раз за хвилину.
failure-disk-space = ❌ На сервері зараз бракує місця на диску; спробуйте пізніше.
failure-quota = ❌ Ви надіслали забагато посилань. Надішліть це ще раз трохи пізніше.
failure-unreadable-pictures = ❌ Зображення за цим посиланням у форматі, який я не можу прочитати чи надіслати.
failure-other = ❌ Завантажити не вдалося: сайт відповів не так, як треба. Спробуйте пізніше.
private-bot = Це приватний бот.
quota-concurrent = { $limit ->
        [1] У вас уже триває завантаження — надішліть посилання ще раз, коли воно завершиться.
       *[other] У вас уже тривають завантаження ({ $limit }) — надішліть посилання ще раз, коли одне з них завершиться.
    }
quota-hourly = { $sent ->
        [one] За останню годину ви надіслали { $sent } посилання — спробуйте знову за { $minutes } хв.
        [few] За останню годину ви надіслали { $sent } посилання — спробуйте знову за { $minutes } хв.
       *[many] За останню годину ви надіслали { $sent } посилань — спробуйте знову за { $minutes } хв.
    }
size-bytes = { $value } Б
size-kb = { $value } КБ
size-mb = { $value } МБ
size-gb = { $value } ГБ
speed = { $size }/с
quality-audio = 🎵 Аудіо
quality-file = 📄 Файл
quality-option-size = { $name } · ~{ $size }
quality-question-title = «{ $title }»: яка якість?
quality-question = Яка якість?
quality-wait = Розміри приблизні. Якщо за { $wait } нічого не вибрати, надішлю те, що в цьому чаті за замовчуванням.
wait-minutes = { $minutes } хв
wait-seconds = { $seconds } с
quality-chosen = { $label } ✓
quality-chosen-audio = аудіо ✓
quality-chosen-file = файл ✓
quality-not-yours = Вибрати може лише той, хто надіслав посилання (або адміністратор).
playlist-progress = ⏳ Плейлист: елемент { $entry } з { $entries }…
playlist-listing = ⏳ Зрозумів, читаю плейлист…
playlist-range = ❌ Не можу розібрати діапазон плейлиста: { $problem }. Напишіть його після посилання: /playlist <посилання> 1-5, 3,7,9 або -3 (останні три).
playlist-nothing-range = ❌ У плейлисті елементів: { $available }; жодного з { $range } у ньому немає.
playlist-nothing = ❌ У плейлисті немає елементів, які я можу надіслати.
playlist-cancelled = 🚫 Скасовано. Надіслано елементів плейлиста: { $delivered } з { $total }.
playlist-all = ✅ Надіслано всі елементи плейлиста: { $total }.
playlist-none = ❌ Не вдалося надіслати жодного елемента плейлиста (усього { $total }).
playlist-some = ✅ Надіслано елементів плейлиста: { $delivered } з { $total }.
playlist-item-failed = ❌ елемент { $index }: { $reason }
playlist-left-out = ℹ️ Не ввійшло запитаних елементів: { $leftOut } — в одному плейлисті не більше { $cap }.
playlist-missing = ℹ️ Запитаних елементів немає в плейлисті: { $missing }.
reason-too-large = завеликий для надсилання
reason-unavailable = недоступний
reason-no-media = медіа не знайдено
reason-refused-link = посилання відхилено
progress-item = { $text } (елемент { $item } з { $items })
progress-probing = ⏳ Дивлюся посилання…
progress-waiting-converter = ⚙️ Чекаю на вільний конвертер…
progress-converting = ⚙️ Конвертую для Telegram…
progress-downloading = ⏳ Завантажую…
progress-of = { $done } з { $total }
part-caption = частина { $part }
button-cancel = ✖ Скасувати
button-video = 🎬 Відео
button-audio = 🎵 Аудіо
button-file = 📄 Файл
button-ask = ❓ Питати щоразу
button-best = Найкраща
button-split = ✂ Ділити великі відео
button-no-split = Не ділити
button-links-all = 🔗 Усі посилання
button-links-asked = 🙋 Лише на прохання
button-failures-say = 💬 Повідомляти про помилки
button-failures-react = 👎 Реакція
button-failures-silent = 🤫 Мовчки
button-language-auto = 🌐 Авто
`;
