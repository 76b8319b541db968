/**
 * Arabic, right to left: the bundle isolates every placeable (FSI … PDI), and the help's lines
 * that start with a command begin with a right-to-left mark (U+200F), so they read right to left.
 * Counted nouns are written as "noun: number" where Arabic agreement would need six forms.
 */
export default `
acknowledged = ⏳ حسنًا، جارٍ التنزيل…
uploading = 📤 جارٍ الإرسال…
cancelled = 🚫 أُلغي.
settings-saved = تم الحفظ ✓
settings-admins-only = يمكن للمشرفين فقط تغيير إعدادات هذه المحادثة.
settings-title = ⚙️ إعدادات هذه المحادثة: ما أرسله افتراضيًا، وأعلى جودة للفيديو، واللغة.
link-progress = ⏳ الرابط { $index } من { $count }: جارٍ التنزيل…
done-none = ❌ تعذّر إرسال أي رابط (عدد الروابط: { $count }).
done-all = ✅ أُرسلت كل الروابط (عددها: { $count }).
done-some = ✅ أُرسل { $delivered } من { $count } روابط.
album-cap-note = ℹ️ في هذا المعرض عناصر عددها { $available }؛ أرسلتُ أول { $sent } منها.
cancel-one = 🚫 جارٍ الإلغاء…
cancel-many = 🚫 جارٍ إلغاء الطلبات (عددها: { $count })…
cancel-refused = لا يمكن إلغاؤه إلا لمن أرسل الرابط أو لأحد المشرفين.
cancel-nothing = لا شيء لإلغائه: لا يوجد تنزيل جارٍ.
help =
    أرسل لي رابط فيديو أو مقطع صوتي (يوتيوب، مواقع الأخبار، رابط مباشر لملف mp4 أو mp3، …) وسأرسل لك الملف هنا. حتى 10 روابط في الرسالة الواحدة، بالترتيب.

    \u200F/dl <رابط> – مثل رابط وحده؛ في مجموعة لا أرد فيها إلا عند الطلب، هكذا يُطلب مني
    \u200F/audio <رابط> – الصوت فقط
    \u200F/clip <رابط> 1:30 2:45 – هذا الجزء فقط (أو اكتب 1:30-2:45 بعد أي رابط)
    \u200F/playlist <رابط> 2-5 – هذه العناصر من قائمة التشغيل، واحدًا تلو الآخر (أو 3,7,9، أو -3 لآخر ثلاثة)
    \u200F/cancel – يوقف تنزيلاتك؛ وردًّا على رابط أو على رسالتي ⏳، يوقف ذلك التنزيل وحده
    \u200F/settings – ما تتلقاه هذه المحادثة افتراضيًا (فيديو أو صوت أو ملف، أو السؤال في كل مرة)، وأعلى جودة، وهل تصل مقاطع الفيديو الأكبر من الحد على أجزاء، واللغة
    \u200F/help – هذه الرسالة

    أرد فورًا بـ«⏳» مع زر إلغاء، ثم أرسل الملف، في حدود ما يسمح تيليجرام برفعه. وإن لم أستطع، أخبرتك بالسبب.
no-link = أرسل لي رابطًا (يبدأ بـ http:// أو https://) وسأنزّل لك الوسائط. للمزيد: /help
invalid-range = ❌ لا يمكنني قصّ هذا المقطع: { $problem }. اكتب الجزء الذي تريده بعد الرابط، مثلًا 1:30-2:45.
problem-not-a-time = «{ $text }» ليس وقتًا (اكتب 90 أو 1:30 أو 1:02:03)
problem-same-bounds = البداية والنهاية متطابقتان ({ $time })
problem-end-before-start = النهاية ({ $end }) قبل البداية ({ $start })
problem-not-a-clip-range = «{ $word }» ليس نطاقًا (اكتب البداية-النهاية، مثلًا 1:30-2:45)
problem-clip-needs-link-example = يحتاج /clip إلى رابط، ثم بداية ونهاية (/clip رابط 1:30 2:45)
problem-clip-needs-link = يحتاج /clip إلى رابط، ثم بداية ونهاية
problem-clip-needs-end = يحتاج /clip إلى نهاية بعد البداية ({ $start })
problem-playlist-needs-link = يحتاج /playlist إلى رابط (/playlist <رابط> 1-5)
problem-playlist-one-word = اكتب النطاق كلمةً واحدة بعد الرابط، مثلًا 1-5 أو 3,7,9 (وصلني: «{ $got }»)
problem-asks-no-entry = «{ $word }» لا يطلب أي عنصر: -3 تعني آخر ثلاثة
problem-asks-beyond-last = «{ $word }» يطلب أكثر من آخر { $max }
problem-ends-before-start = «{ $word }» ينتهي قبل أن يبدأ
problem-too-many-entries = «{ $word }» يذكر أكثر من { $max } عنصرًا
problem-not-a-playlist-range = «{ $word }» ليس نطاقًا: اكتب 1-5 أو 3,7,9 أو -3 (آخر ثلاثة)
problem-beyond-media = مدة الوسائط { $duration }، فليس فيها { $range }
range-outside-media = النطاق خارج حدود الوسائط
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ لم أفهم هذا الرابط: { $url }
    أرسل رابطًا كاملًا يبدأ بـ http:// أو https://.
failure-blocked-address = ❌ يشير هذا الرابط إلى عنوان في شبكة خاصة أو محلية، لذلك لن أفتحه.
failure-unsupported-url = ❌ هذا الموقع غير مدعوم، أو لم أجد فيديو أو صوتًا في هذه الصفحة.
failure-content-unavailable = ❌ فشل التنزيل: هذا المحتوى خاص أو غير متاح (محذوف، أو محجوب في منطقتك، أو يتطلب تسجيل الدخول).
failure-no-media = ❌ لم أجد شيئًا لتنزيله من هذا الرابط.
failure-too-large-size = ❌ هذا الملف أكبر من أن يُرسل: { $size }، وأقصى ما يمكن لروبوتات تيليجرام إرساله { $limit }.
failure-too-large = ❌ هذا الملف أكبر من أن يُرسل: أقصى ما يمكن لروبوتات تيليجرام إرساله { $limit }.
failure-telegram-bad-request = ❌ لم يقبل تيليجرام هذا الملف.
failure-telegram-rate-limited = ❌ طلب مني تيليجرام الإبطاء ولم أتمكن من إرسال هذا في الوقت المناسب. أرسل الرابط مرة أخرى بعد دقيقة.
failure-disk-space = ❌ مساحة القرص على الخادم غير كافية الآن؛ يُرجى المحاولة لاحقًا.
failure-quota = ❌ أرسلت لي روابط كثيرة في الوقت الحالي. أرسل هذا الرابط مرة أخرى بعد قليل.
failure-unreadable-pictures = ❌ الصور في هذا الرابط بصيغة لا أستطيع قراءتها أو إرسالها.
failure-other = ❌ فشل التنزيل: لم يستجب الموقع كما ينبغي. يُرجى المحاولة لاحقًا.
private-bot = هذا الروبوت خاص.
quota-concurrent = { $limit ->
        [1] لديك تنزيل جارٍ بالفعل — أرسل الرابط مرة أخرى عندما ينتهي.
       *[other] لديك تنزيلات جارية بالفعل (عددها: { $limit }) — أرسل الرابط مرة أخرى عندما ينتهي أحدها.
    }
quota-hourly = { $sent ->
        [1] أرسلت رابطًا واحدًا في الساعة الأخيرة — حاول مرة أخرى بعد { $minutes ->
            [one] دقيقة واحدة
            [two] دقيقتين
            [few] { $minutes } دقائق
           *[other] { $minutes } دقيقة
        }.
       *[other] أرسلت روابط في الساعة الأخيرة (عددها: { $sent }) — حاول مرة أخرى بعد { $minutes ->
            [one] دقيقة واحدة
            [two] دقيقتين
            [few] { $minutes } دقائق
           *[other] { $minutes } دقيقة
        }.
    }
size-bytes = { $value } بايت
size-kb = { $value } كيلوبايت
size-mb = { $value } ميغابايت
size-gb = { $value } غيغابايت
speed = { $size }/ثانية
quality-audio = 🎵 صوت
quality-file = 📄 ملف
quality-option-size = { $name } · ~{ $size }
quality-question-title = «{ $title }»: أي جودة؟
quality-question = أي جودة؟
quality-wait = الأحجام تقديرية. إن لم تختر خلال { $wait }، أرسلتُ الإعداد الافتراضي لهذه المحادثة.
wait-minutes = { $minutes ->
        [one] دقيقة واحدة
        [two] دقيقتان
        [few] { $minutes } دقائق
       *[other] { $minutes } دقيقة
    }
wait-seconds = { $seconds } ثانية
quality-chosen = { $label } ✓
quality-chosen-audio = صوت ✓
quality-chosen-file = ملف ✓
quality-not-yours = لا يمكن الاختيار إلا لمن أرسل الرابط (أو لأحد المشرفين).
playlist-progress = ⏳ قائمة التشغيل: العنصر { $entry } من { $entries }…
playlist-listing = ⏳ حسنًا، جارٍ قراءة قائمة التشغيل…
playlist-range = ❌ لا يمكنني قراءة نطاق قائمة التشغيل هذا: { $problem }. اكتبه بعد الرابط: /playlist <رابط> 1-5، أو 3,7,9، أو -3 (آخر ثلاثة).
playlist-nothing-range = ❌ في قائمة التشغيل عناصر عددها { $available }: لا شيء من { $range } فيها.
playlist-nothing = ❌ لا تحتوي قائمة التشغيل على عناصر يمكنني إرسالها.
playlist-cancelled = 🚫 أُلغي: أُرسل { $delivered } من { $total } من عناصر قائمة التشغيل.
playlist-all = ✅ أُرسلت كل عناصر قائمة التشغيل (عددها: { $total }).
playlist-none = ❌ تعذّر إرسال أي عنصر من قائمة التشغيل (عدد العناصر: { $total }).
playlist-some = ✅ أُرسل { $delivered } من { $total } من عناصر قائمة التشغيل.
playlist-item-failed = ❌ العنصر { $index }: { $reason }
playlist-left-out = ℹ️ استُبعدت عناصر أخرى مطلوبة (عددها: { $leftOut }): الحد الأقصى { $cap } عنصرًا لكل قائمة تشغيل.
playlist-missing = ℹ️ عناصر مطلوبة ليست في قائمة التشغيل (عددها: { $missing }).
reason-too-large = أكبر من أن يُرسل
reason-unavailable = غير متاح
reason-no-media = لم يُعثر على وسائط
reason-refused-link = رابط مرفوض
progress-item = { $text } (العنصر { $item } من { $items })
progress-probing = ⏳ جارٍ فحص الرابط…
progress-waiting-converter = ⚙️ في انتظار محوّل متاح…
progress-converting = ⚙️ جارٍ التحويل لتيليجرام…
progress-downloading = ⏳ جارٍ التنزيل…
progress-of = { $done } من { $total }
part-caption = الجزء { $part }
button-cancel = ✖ إلغاء
button-video = 🎬 فيديو
button-audio = 🎵 صوت
button-file = 📄 ملف
button-ask = ❓ اسأل كل مرة
button-best = الأفضل
button-split = ✂ تقسيم الفيديوهات الكبيرة
button-no-split = بدون تقسيم
button-links-all = 🔗 كل الروابط
button-links-asked = 🙋 فقط عند الطلب
button-failures-say = 💬 الإبلاغ عن الأخطاء
button-failures-react = 👎 تفاعل
button-failures-silent = 🤫 بصمت
button-language-auto = 🌐 تلقائي
`;
