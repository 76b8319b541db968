/**
 * Persian, right to left: the bundle isolates every placeable (FSI … PDI), and the help's lines
 * that start with a command begin with a right-to-left mark (U+200F), so they read right to left.
 */
export default `
acknowledged = ⏳ باشه، در حال دانلود…
uploading = 📤 در حال ارسال…
cancelled = 🚫 لغو شد.
settings-saved = ذخیره شد ✓
settings-admins-only = فقط مدیران می‌توانند تنظیمات این گفتگو را تغییر دهند.
settings-title = ⚙️ تنظیمات این گفتگو: چیزی که به‌طور پیش‌فرض می‌فرستم، بالاترین کیفیت ویدیو و زبان.
link-progress = ⏳ لینک { $index } از { $count }: در حال دانلود…
done-none = ❌ هیچ‌کدام از { $count } لینک ارسال نشد.
done-all = ✅ هر { $count } لینک ارسال شد.
done-some = ✅ { $delivered } لینک از { $count } لینک ارسال شد.
album-cap-note = ℹ️ این گالری { $available } مورد دارد؛ { $sent } مورد اول را فرستادم.
cancel-one = 🚫 در حال لغو…
cancel-many = 🚫 در حال لغو { $count } درخواست…
cancel-refused = فقط کسی که لینک را فرستاده، یا یکی از مدیران، می‌تواند آن را لغو کند.
cancel-nothing = چیزی برای لغو نیست: هیچ دانلودی در جریان نیست.
help =
    لینک یک ویدیو یا فایل صوتی را برایم بفرستید (یوتیوب، سایت‌های خبری، لینک مستقیم mp4 یا mp3، …) تا فایلش را همین‌جا برایتان بفرستم. تا 10 لینک در یک پیام، به ترتیب.

    \u200F/dl <لینک> – مثل یک پیوند تنها؛ در گروهی که فقط وقتی خواسته شود پاسخ می‌دهم، راه خواستن همین است
    \u200F/audio <لینک> – فقط صدا
    \u200F/clip <لینک> 1:30 2:45 – فقط همان بخش (یا بعد از هر لینکی بنویسید 1:30-2:45)
    \u200F/playlist <لینک> 2-5 – همین موارد از یک لیست پخش، یکی‌یکی (یا 3,7,9، یا -3 برای سه مورد آخر)
    \u200F/cancel – دانلودهای شما را متوقف می‌کند؛ در پاسخ به یک لینک یا به پیام ⏳ من، فقط همان یکی را
    \u200F/settings – پیش‌فرض این گفتگو (ویدیو، صدا یا فایل، یا هر بار بپرسم)، بالاترین کیفیت، تکه‌تکه فرستادن ویدیوهای بزرگ‌تر از حد مجاز، و زبان
    \u200F/help – همین پیام

    بلافاصله با «⏳» و یک دکمهٔ لغو جواب می‌دهم و بعد فایل را می‌فرستم، تا سقف حجم آپلود تلگرام. اگر نتوانم، دلیلش را می‌گویم.
no-link = یک لینک بفرستید (که با http:// یا https:// شروع شود) تا رسانه‌اش را برایتان دانلود کنم. راهنمای بیشتر: /help
invalid-range = ❌ نمی‌توانم این بخش را ببُرم: { $problem }. بخشی را که می‌خواهید بعد از لینک بنویسید، مثلاً 1:30-2:45.
problem-not-a-time = «{ $text }» زمان نیست (بنویسید 90، 1:30 یا 1:02:03)
problem-same-bounds = شروع و پایان یکی است ({ $time })
problem-end-before-start = پایان ({ $end }) پیش از شروع ({ $start }) است
problem-not-a-clip-range = «{ $word }» بازه نیست (به شکل شروع-پایان بنویسید، مثلاً 1:30-2:45)
problem-clip-needs-link-example = بعد از /clip یک لینک، سپس شروع و پایان لازم است (/clip لینک 1:30 2:45)
problem-clip-needs-link = بعد از /clip یک لینک، سپس شروع و پایان لازم است
problem-clip-needs-end = بعد از شروع ({ $start }) پایان هم لازم است
problem-playlist-needs-link = بعد از /playlist یک لینک لازم است (/playlist <لینک> 1-5)
problem-playlist-one-word = بازه را به‌صورت یک کلمه بعد از لینک بنویسید، مثلاً 1-5 یا 3,7,9 (دریافت شد: «{ $got }»)
problem-asks-no-entry = «{ $word }» هیچ موردی را نمی‌خواهد: -3 یعنی سه مورد آخر
problem-asks-beyond-last = «{ $word }» بیش از { $max } مورد آخر را می‌خواهد
problem-ends-before-start = «{ $word }» پیش از شروعش تمام می‌شود
problem-too-many-entries = «{ $word }» بیش از { $max } مورد را نام می‌برد
problem-not-a-playlist-range = «{ $word }» بازه نیست: بنویسید 1-5، 3,7,9 یا -3 (سه مورد آخر)
problem-beyond-media = این رسانه { $duration } طول دارد، پس { $range } در آن نیست
range-outside-media = این بازه بیرون از محدودهٔ رسانه است
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ این لینک را متوجه نشدم: { $url }
    یک لینک کامل بفرستید که با http:// یا https:// شروع شود.
failure-blocked-address = ❌ این لینک به نشانی‌ای در یک شبکهٔ خصوصی یا محلی اشاره می‌کند، پس بازش نمی‌کنم.
failure-unsupported-url = ❌ این سایت پشتیبانی نمی‌شود، یا در این صفحه ویدیو یا صدایی پیدا نکردم.
failure-content-unavailable = ❌ دانلود نشد: این محتوا خصوصی است یا در دسترس نیست (حذف شده، در منطقهٔ شما مسدود است یا ورود به حساب لازم دارد).
failure-no-media = ❌ در این لینک چیزی برای دانلود پیدا نکردم.
failure-too-large-size = ❌ این فایل برای ارسال خیلی بزرگ است: { $size }، و ربات‌های تلگرام حداکثر { $limit } می‌توانند بفرستند.
failure-too-large = ❌ این فایل برای ارسال خیلی بزرگ است: ربات‌های تلگرام حداکثر { $limit } می‌توانند بفرستند.
failure-telegram-bad-request = ❌ تلگرام این فایل را نپذیرفت.
failure-telegram-rate-limited = ❌ تلگرام از من خواست آهسته‌تر بفرستم و نتوانستم این را به‌موقع ارسال کنم. لطفاً یک دقیقهٔ دیگر لینک را دوباره بفرستید.
failure-disk-space = ❌ فضای دیسک سرور الان کم است؛ لطفاً بعداً دوباره امتحان کنید.
failure-quota = ❌ فعلاً لینک‌های زیادی فرستاده‌اید. لطفاً کمی بعد این یکی را دوباره بفرستید.
failure-unreadable-pictures = ❌ تصاویر این لینک در قالبی هستند که نمی‌توانم بخوانم یا بفرستم.
failure-other = ❌ دانلود نشد: سایت درست پاسخ نداد. لطفاً بعداً دوباره امتحان کنید.
private-bot = این ربات خصوصی است.
quota-concurrent = { $limit ->
        [1] یک دانلود شما هنوز در جریان است — وقتی تمام شد، لینک را دوباره بفرستید.
       *[other] { $limit } دانلود شما هنوز در جریان است — وقتی یکی‌شان تمام شد، لینک را دوباره بفرستید.
    }
quota-hourly = در یک ساعت گذشته { $sent } لینک فرستاده‌اید — { $minutes } دقیقهٔ دیگر دوباره امتحان کنید.
size-bytes = { $value } بایت
size-kb = { $value } کیلوبایت
size-mb = { $value } مگابایت
size-gb = { $value } گیگابایت
speed = { $size } بر ثانیه
quality-audio = 🎵 صدا
quality-file = 📄 فایل
quality-option-size = { $name } · ~{ $size }
quality-question-title = «{ $title }»: چه کیفیتی؟
quality-question = چه کیفیتی؟
quality-wait = حجم‌ها تقریبی‌اند. اگر تا { $wait } انتخاب نکنید، پیش‌فرض این گفتگو را می‌فرستم.
wait-minutes = { $minutes } دقیقه
wait-seconds = { $seconds } ثانیه
quality-chosen = { $label } ✓
quality-chosen-audio = صدا ✓
quality-chosen-file = فایل ✓
quality-not-yours = فقط کسی که لینک را فرستاده (یا یکی از مدیران) می‌تواند انتخاب کند.
playlist-progress = ⏳ لیست پخش: مورد { $entry } از { $entries }…
playlist-listing = ⏳ باشه، در حال خواندن لیست پخش…
playlist-range = ❌ نمی‌توانم این بازهٔ لیست پخش را بخوانم: { $problem }. آن را بعد از لینک بنویسید: /playlist <لینک> 1-5، 3,7,9 یا -3 (سه مورد آخر).
playlist-nothing-range = ❌ لیست پخش { $available } مورد دارد: هیچ‌کدام از { $range } در آن نیست.
playlist-nothing = ❌ لیست پخش هیچ موردی ندارد که بتوانم بفرستم.
playlist-cancelled = 🚫 لغو شد: { $delivered } مورد از { $total } مورد لیست پخش ارسال شد.
playlist-all = ✅ هر { $total } مورد لیست پخش ارسال شد.
playlist-none = ❌ هیچ‌کدام از { $total } مورد لیست پخش ارسال نشد.
playlist-some = ✅ { $delivered } مورد از { $total } مورد لیست پخش ارسال شد.
playlist-item-failed = ❌ مورد { $index }: { $reason }
playlist-left-out = ℹ️ { $leftOut } مورد درخواستی دیگر کنار گذاشته شد: حداکثر { $cap } مورد از هر لیست پخش.
playlist-missing = ℹ️ { $missing } مورد درخواستی در لیست پخش نیست.
reason-too-large = برای ارسال خیلی بزرگ است
reason-unavailable = در دسترس نیست
reason-no-media = رسانه‌ای پیدا نشد
reason-refused-link = لینک رد شد
progress-item = { $text } (مورد { $item } از { $items })
progress-probing = ⏳ در حال بررسی لینک…
progress-waiting-converter = ⚙️ در انتظار یک مبدل آزاد…
progress-converting = ⚙️ در حال تبدیل برای تلگرام…
progress-downloading = ⏳ در حال دانلود…
progress-of = { $done } از { $total }
part-caption = بخش { $part }
button-cancel = ✖ لغو
button-video = 🎬 ویدیو
button-audio = 🎵 صدا
button-file = 📄 فایل
button-ask = ❓ هر بار بپرس
button-best = بهترین
button-split = ✂ تقسیم ویدیوهای بزرگ
button-no-split = تقسیم نکن
button-links-all = 🔗 همه‌ی پیوندها
button-links-asked = 🙋 فقط وقتی خواسته شود
button-failures-say = 💬 گفتن خطاها
button-failures-react = 👎 واکنش
button-failures-silent = 🤫 بی‌صدا
button-language-auto = 🌐 خودکار
`;
