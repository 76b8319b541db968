/** Portuguese (written for Brazil, read everywhere). */
export default `
acknowledged = ⏳ Entendi, baixando…
uploading = 📤 Enviando…
cancelled = 🚫 Cancelado.
settings-saved = Salvo ✓
settings-admins-only = Só administradores podem mudar as configurações deste chat.
settings-title = ⚙️ Configurações deste chat: o que envio por padrão, a qualidade máxima de vídeo e o idioma.
link-progress = ⏳ Link { $index } de { $count }: baixando…
done-none = ❌ Nenhum dos { $count } links pôde ser enviado.
done-all = ✅ Todos os { $count } links enviados.
done-some = ✅ { $delivered } de { $count } links enviados.
album-cap-note = ℹ️ Esta galeria tem { $available } itens; enviei os primeiros { $sent }.
cancel-one = 🚫 Cancelando…
cancel-many = 🚫 Cancelando { $count } pedidos…
cancel-refused = Só quem enviou o link, ou um administrador, pode cancelar.
cancel-nothing = Nada para cancelar: nenhum download em andamento.
help =
    Envie um link de vídeo ou áudio (YouTube, sites de notícias, um link direto para .mp4 ou .mp3, …) e eu mando o arquivo aqui. Até 10 links por mensagem, em ordem.

    /dl <link> – o mesmo que um link sozinho; num grupo onde só respondo quando pedem, é assim que se pede
    /audio <link> – só o áudio
    /clip <link> 1:30 2:45 – só esse trecho (ou escreva 1:30-2:45 depois de qualquer link)
    /playlist <link> 2-5 – esses itens de uma playlist, um por um (também 3,7,9, ou -3 para os três últimos)
    /cancel – para seus downloads; em resposta a um link ou à minha mensagem ⏳, só aquele
    /settings – o padrão deste chat (vídeo, áudio ou arquivo, ou perguntar sempre), a qualidade máxima, se vídeos acima do limite chegam em partes, e o idioma
    /help – esta mensagem

    Respondo "⏳" na hora, com um botão Cancelar, e depois envio o arquivo, até o limite de upload do Telegram. Se não conseguir, digo o motivo.
no-link = Envie um link (começando com http:// ou https://) e eu baixo a mídia para você. /help explica mais.
invalid-range = ❌ Não consigo cortar este trecho: { $problem }. Escreva a parte que você quer depois do link, por exemplo 1:30-2:45.
problem-not-a-time = "{ $text }" não é um tempo (use 90, 1:30 ou 1:02:03)
problem-same-bounds = o início e o fim são iguais ({ $time })
problem-end-before-start = o fim ({ $end }) vem antes do início ({ $start })
problem-not-a-clip-range = "{ $word }" não é um intervalo (use início-fim, por exemplo 1:30-2:45)
problem-clip-needs-link-example = /clip precisa de um link, depois um início e um fim (/clip link 1:30 2:45)
problem-clip-needs-link = /clip precisa de um link, depois um início e um fim
problem-clip-needs-end = /clip precisa de um fim depois do início ({ $start })
problem-playlist-needs-link = /playlist precisa de um link (/playlist <link> 1-5)
problem-playlist-one-word = escreva o intervalo como uma só palavra depois do link, por exemplo 1-5 ou 3,7,9 (recebi "{ $got }")
problem-asks-no-entry = "{ $word }" não pede nenhum item: -3 significa os três últimos
problem-asks-beyond-last = "{ $word }" pede mais que os últimos { $max }
problem-ends-before-start = "{ $word }" termina antes de começar
problem-too-many-entries = "{ $word }" indica mais de { $max } itens
problem-not-a-playlist-range = "{ $word }" não é um intervalo: escreva 1-5, 3,7,9 ou -3 (os três últimos)
problem-beyond-media = a mídia dura { $duration }, então não tem { $range }
range-outside-media = o trecho fica fora da mídia
failed-link =
    { $text }
    ({ $link })
failure-invalid-url =
    ❌ Não entendi este link: { $url }
    Envie um link completo que comece com http:// ou https://.
failure-blocked-address = ❌ Este link aponta para um endereço de rede privada ou local, então não vou acessá-lo.
failure-unsupported-url = ❌ Este site não é suportado, ou não encontrei vídeo nem áudio nesta página.
failure-content-unavailable = ❌ O download falhou: este conteúdo é privado ou está indisponível (removido, bloqueado na sua região ou exige login).
failure-no-media = ❌ Não encontrei nada para baixar neste link.
failure-too-large-size = ❌ Este arquivo é grande demais para enviar: { $size }, e bots do Telegram podem enviar no máximo { $limit }.
failure-too-large = ❌ Este arquivo é grande demais para enviar: bots do Telegram podem enviar no máximo { $limit }.
failure-telegram-bad-request = ❌ O Telegram não aceitou este arquivo.
failure-telegram-rate-limited = ❌ O Telegram pediu para eu ir mais devagar e não consegui enviar a tempo. Envie o link de novo daqui a um minuto.
failure-disk-space = ❌ O servidor está sem espaço em disco agora; tente de novo mais tarde.
failure-quota = ❌ Você me enviou links demais por enquanto. Envie este de novo um pouco mais tarde.
failure-unreadable-pictures = ❌ As imagens deste link estão num formato que não consigo ler nem enviar.
failure-other = ❌ O download falhou: o site não respondeu direito. Tente de novo mais tarde.
private-bot = Este bot é privado.
quota-concurrent = { $limit ->
        [1] Você já tem um download em andamento — envie o link de novo quando ele terminar.
       *[other] Você já tem { $limit } downloads em andamento — envie o link de novo quando um terminar.
    }
quota-hourly = { $sent ->
        [1] Você enviou 1 link na última hora — tente de novo em { $minutes } min.
       *[other] Você enviou { $sent } links na última hora — tente de novo em { $minutes } min.
    }
size-bytes = { $value } bytes
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
speed = { $size }/s
quality-audio = 🎵 Áudio
quality-file = 📄 Arquivo
quality-option-size = { $name } · ~{ $size }
quality-question-title = “{ $title }”: qual qualidade?
quality-question = Qual qualidade?
quality-wait = Os tamanhos são estimativas. Sem escolha em { $wait }, envio o padrão deste chat.
wait-minutes = { $minutes } min
wait-seconds = { $seconds } s
quality-chosen = { $label } ✓
quality-chosen-audio = áudio ✓
quality-chosen-file = arquivo ✓
quality-not-yours = Só quem enviou o link (ou um administrador) pode escolher.
playlist-progress = ⏳ Playlist: item { $entry } de { $entries }…
playlist-listing = ⏳ Entendi, lendo a playlist…
playlist-range = ❌ Não consigo ler este intervalo da playlist: { $problem }. Escreva depois do link: /playlist <link> 1-5, 3,7,9 ou -3 (os três últimos).
playlist-nothing-range = ❌ A playlist tem { $available } itens: nenhum de { $range } está nela.
playlist-nothing = ❌ A playlist não tem itens que eu possa enviar.
playlist-cancelled = 🚫 Cancelado: { $delivered } de { $total } itens da playlist enviados.
playlist-all = ✅ Todos os { $total } itens da playlist enviados.
playlist-none = ❌ Nenhum dos { $total } itens da playlist pôde ser enviado.
playlist-some = ✅ { $delivered } de { $total } itens da playlist enviados.
playlist-item-failed = ❌ item { $index }: { $reason }
playlist-left-out = ℹ️ Mais { $leftOut } pedidos ficaram de fora: no máximo { $cap } itens por playlist.
playlist-missing = ℹ️ { $missing } pedidos não estão na playlist.
reason-too-large = grande demais para enviar
reason-unavailable = indisponível
reason-no-media = nenhuma mídia encontrada
reason-refused-link = link recusado
progress-item = { $text } (item { $item } de { $items })
progress-probing = ⏳ Olhando o link…
progress-waiting-converter = ⚙️ Esperando um conversor livre…
progress-converting = ⚙️ Convertendo para o Telegram…
progress-downloading = ⏳ Baixando…
progress-of = { $done } de { $total }
part-caption = parte { $part }
button-cancel = ✖ Cancelar
button-video = 🎬 Vídeo
button-audio = 🎵 Áudio
button-file = 📄 Arquivo
button-ask = ❓ Perguntar sempre
button-best = A melhor
button-split = ✂ Dividir vídeos grandes
button-no-split = Não dividir
button-links-all = 🔗 Todos os links
button-links-asked = 🙋 Só quando pedirem
button-failures-say = 💬 Dizer as falhas
button-failures-react = 👎 Reação
button-failures-silent = 🤫 Em silêncio
button-language-auto = 🌐 Automático
`;
