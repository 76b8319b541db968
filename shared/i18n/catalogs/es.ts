/** Spanish. */
export default `
acknowledged = ⏳ Entendido, descargando…
uploading = 📤 Enviando…
cancelled = 🚫 Cancelado.
settings-saved = Guardado ✓
settings-admins-only = Solo los administradores pueden cambiar la configuración de este chat.
settings-title = ⚙️ Configuración de este chat: qué envío por defecto, la calidad máxima de vídeo y el idioma.
link-progress = ⏳ Enlace { $index } de { $count }: descargando…
done-none = ❌ No se pudo enviar ninguno de los { $count } enlaces.
done-all = ✅ Enviados los { $count } enlaces.
done-some = ✅ Enviados { $delivered } de { $count } enlaces.
album-cap-note = ℹ️ Esta galería tiene { $available } elementos; he enviado los primeros { $sent }.
cancel-one = 🚫 Cancelando…
cancel-many = 🚫 Cancelando { $count } solicitudes…
cancel-refused = Solo quien envió el enlace, o un administrador, puede cancelarlo.
cancel-nothing = No hay nada que cancelar: no hay ninguna descarga en curso.
help =
    Envíame un enlace a un vídeo o audio (YouTube, sitios de noticias, un enlace directo a un .mp4 o .mp3, …) y te enviaré el archivo aquí. Hasta 10 enlaces por mensaje, en orden.

    /dl <enlace> – lo mismo que un enlace solo; en un grupo donde solo respondo si me lo piden, así se pide
    /audio <enlace> – solo el audio
    /clip <enlace> 1:30 2:45 – solo ese fragmento (o escribe 1:30-2:45 después de cualquier enlace)
    /playlist <enlace> 2-5 – esos elementos de una lista de reproducción, uno a uno (también 3,7,9, o -3 para los tres últimos)
    /cancel – detiene tus descargas; como respuesta a un enlace o a mi mensaje ⏳, solo esa
    /settings – lo que este chat recibe por defecto (vídeo, audio o archivo, o preguntar cada vez), la calidad máxima, si los vídeos que superan el límite llegan en partes, y el idioma
    /help – este mensaje

    Respondo "⏳" al momento, con un botón Cancelar, y luego envío el archivo, hasta el límite de subida de Telegram. Si no puedo, te digo por qué.
no-link = Envíame un enlace (que empiece por http:// o https://) y descargaré el contenido para ti. /help explica más.
invalid-range = ❌ No puedo recortar este fragmento: { $problem }. Escribe la parte que quieres después del enlace, p. ej. 1:30-2:45.
problem-not-a-time = «{ $text }» no es un tiempo (usa 90, 1:30 o 1:02:03)
problem-same-bounds = el inicio y el final son iguales ({ $time })
problem-end-before-start = el final ({ $end }) es anterior al inicio ({ $start })
problem-not-a-clip-range = «{ $word }» no es un rango (usa inicio-final, p. ej. 1:30-2:45)
problem-clip-needs-link-example = /clip necesita un enlace, luego un inicio y un final (/clip enlace 1:30 2:45)
problem-clip-needs-link = /clip necesita un enlace, luego un inicio y un final
problem-clip-needs-end = /clip necesita un final después del inicio ({ $start })
problem-playlist-needs-link = /playlist necesita un enlace (/playlist <enlace> 1-5)
problem-playlist-one-word = escribe el rango como una sola palabra después del enlace, p. ej. 1-5 o 3,7,9 (recibido: «{ $got }»)
problem-asks-no-entry = «{ $word }» no pide ningún elemento: -3 significa los tres últimos
problem-asks-beyond-last = «{ $word }» pide más que los últimos { $max }
problem-ends-before-start = «{ $word }» termina antes de empezar
problem-too-many-entries = «{ $word }» indica más de { $max } elementos
problem-not-a-playlist-range = «{ $word }» no es un rango: escribe 1-5, 3,7,9 o -3 (los tres últimos)
problem-beyond-media = el contenido dura { $duration }, así que no tiene { $range }
range-outside-media = el fragmento queda fuera del contenido
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ No he entendido este enlace: { $url }
    Envía un enlace completo que empiece por http:// o https://.
failure-blocked-address = ❌ Este enlace apunta a una dirección de una red privada o local, así que no voy a abrirlo.
failure-unsupported-url = ❌ Este sitio no es compatible, o no encontré vídeo ni audio en esta página.
failure-content-unavailable = ❌ La descarga falló: este contenido es privado o no está disponible (eliminado, bloqueado en tu región o requiere iniciar sesión).
failure-no-media = ❌ No encontré nada que descargar en este enlace.
failure-too-large-size = ❌ Este archivo es demasiado grande para enviarlo: { $size }, y los bots de Telegram pueden enviar como máximo { $limit }.
failure-too-large = ❌ Este archivo es demasiado grande para enviarlo: los bots de Telegram pueden enviar como máximo { $limit }.
failure-telegram-bad-request = ❌ Telegram no aceptó este archivo.
failure-telegram-rate-limited = ❌ Telegram me pidió ir más despacio y no pude enviarlo a tiempo. Vuelve a enviar el enlace dentro de un minuto.
failure-disk-space = ❌ Ahora mismo el servidor se ha quedado sin espacio en disco; inténtalo más tarde.
failure-quota = ❌ Me has enviado demasiados enlaces por ahora. Vuelve a enviar este un poco más tarde.
failure-unreadable-pictures = ❌ Las imágenes de este enlace están en un formato que no puedo leer ni enviar.
failure-other = ❌ La descarga falló: el sitio no respondió correctamente. Inténtalo más tarde.
private-bot = Este bot es privado.
quota-concurrent = { $limit ->
        [1] Ya tienes una descarga en curso: vuelve a enviar el enlace cuando termine.
       *[other] Ya tienes { $limit } descargas en curso: vuelve a enviar el enlace cuando termine una.
    }
quota-hourly = { $sent ->
        [1] Has enviado 1 enlace en la última hora: inténtalo de nuevo dentro de { $minutes } min.
       *[other] Has enviado { $sent } enlaces en la última hora: inténtalo de nuevo dentro de { $minutes } min.
    }
size-bytes = { $value } bytes
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
speed = { $size }/s
quality-audio = 🎵 Audio
quality-file = 📄 Archivo
quality-option-size = { $name } · ~{ $size }
quality-question-title = «{ $title }»: ¿qué calidad?
quality-question = ¿Qué calidad?
quality-wait = Los tamaños son aproximados. Si no eliges en { $wait }, envío lo que este chat tiene por defecto.
wait-minutes = { $minutes } min
wait-seconds = { $seconds } s
quality-chosen = { $label } ✓
quality-chosen-audio = audio ✓
quality-chosen-file = archivo ✓
quality-not-yours = Solo quien envió el enlace (o un administrador) puede elegir.
playlist-progress = ⏳ Lista: elemento { $entry } de { $entries }…
playlist-listing = ⏳ Entendido, leyendo la lista de reproducción…
playlist-range = ❌ No entiendo este rango de la lista: { $problem }. Escríbelo después del enlace: /playlist <enlace> 1-5, 3,7,9 o -3 (los tres últimos).
playlist-nothing-range = ❌ La lista tiene { $available } elementos: ninguno de { $range } está en ella.
playlist-nothing = ❌ La lista no tiene elementos que pueda enviar.
playlist-cancelled = 🚫 Cancelado: enviados { $delivered } de { $total } elementos de la lista.
playlist-all = ✅ Enviados los { $total } elementos de la lista.
playlist-none = ❌ No se pudo enviar ninguno de los { $total } elementos de la lista.
playlist-some = ✅ Enviados { $delivered } de { $total } elementos de la lista.
playlist-item-failed = ❌ elemento { $index }: { $reason }
playlist-left-out = ℹ️ Otros { $leftOut } solicitados se quedaron fuera: como máximo { $cap } elementos por lista.
playlist-missing = ℹ️ { $missing } solicitados no están en la lista.
reason-too-large = demasiado grande para enviarlo
reason-unavailable = no disponible
reason-no-media = no se encontró contenido
reason-refused-link = enlace rechazado
progress-item = { $text } (elemento { $item } de { $items })
progress-probing = ⏳ Mirando el enlace…
progress-waiting-converter = ⚙️ Esperando un conversor libre…
progress-converting = ⚙️ Convirtiendo para Telegram…
progress-downloading = ⏳ Descargando…
progress-of = { $done } de { $total }
part-caption = parte { $part }
button-cancel = ✖ Cancelar
button-video = 🎬 Vídeo
button-audio = 🎵 Audio
button-file = 📄 Archivo
button-ask = ❓ Preguntar cada vez
button-best = La mejor
button-split = ✂ Dividir vídeos grandes
button-no-split = No dividir
button-links-all = 🔗 Todos los enlaces
button-links-asked = 🙋 Solo si me lo piden
button-failures-say = 💬 Decir los fallos
button-failures-react = 👎 Reacción
button-failures-silent = 🤫 En silencio
button-language-auto = 🌐 Automático
`;
