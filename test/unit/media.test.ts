import { classifyMedia } from '../../activities/adapters/mediaProbe.js';

/** ffprobe's format_name for the ISO BMFF family (mp4 and m4a files alike). */
const MP4_FORMAT = 'mov,mp4,m4a,3gp,3g2,mj2';

describe('classifyMedia', () => {
  it('sends an mp4 with H.264 video as a streamable video', () => {
    const probed = classifyMedia({
      format: { format_name: MP4_FORMAT, duration: '12.6' },
      streams: [
        { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720 },
        { codec_type: 'audio', codec_name: 'aac' },
      ],
    });
    expect(probed).toEqual({
      kind: 'video',
      formatName: MP4_FORMAT,
      videoCodec: 'h264',
      audioCodec: 'aac',
      durationSeconds: 13,
      width: 1280,
      height: 720,
    });
  });

  it('sends an mp4 with HEVC video as a document', () => {
    const probed = classifyMedia({
      format: { format_name: MP4_FORMAT },
      streams: [
        { codec_type: 'video', codec_name: 'hevc', width: 1920, height: 1080 },
        { codec_type: 'audio', codec_name: 'aac' },
      ],
    });
    expect(probed.kind).toBe('document');
    expect(probed.videoCodec).toBe('hevc');
  });

  it('sends a webm with VP9 video as a document', () => {
    const probed = classifyMedia({
      format: { format_name: 'matroska,webm' },
      streams: [
        { codec_type: 'video', codec_name: 'vp9' },
        { codec_type: 'audio', codec_name: 'opus' },
      ],
    });
    expect(probed.kind).toBe('document');
  });

  it('sends H.264 in a non-mp4 container as a document', () => {
    const probed = classifyMedia({
      format: { format_name: 'matroska,webm' },
      streams: [{ codec_type: 'video', codec_name: 'h264' }],
    });
    expect(probed.kind).toBe('document');
  });

  it('sends an mp3 as audio', () => {
    const probed = classifyMedia({
      format: { format_name: 'mp3', duration: '181.2' },
      streams: [{ codec_type: 'audio', codec_name: 'mp3' }],
    });
    expect(probed).toMatchObject({ kind: 'audio', audioCodec: 'mp3', durationSeconds: 181 });
    expect(probed.videoCodec).toBeUndefined();
  });

  it('sends an AAC-only m4a as audio', () => {
    const probed = classifyMedia({
      format: { format_name: MP4_FORMAT },
      streams: [{ codec_type: 'audio', codec_name: 'aac' }],
    });
    expect(probed.kind).toBe('audio');
  });

  it('sends an Opus-only ogg as a document', () => {
    const probed = classifyMedia({
      format: { format_name: 'ogg' },
      streams: [{ codec_type: 'audio', codec_name: 'opus' }],
    });
    expect(probed.kind).toBe('document');
  });

  it('sends an mp3 with attached cover art as audio, not video', () => {
    const probed = classifyMedia({
      format: { format_name: 'mp3' },
      streams: [
        { codec_type: 'audio', codec_name: 'mp3' },
        { codec_type: 'video', codec_name: 'mjpeg', width: 500, height: 500, disposition: { attached_pic: 1 } },
      ],
    });
    expect(probed.kind).toBe('audio');
    expect(probed.videoCodec).toBeUndefined();
    expect(probed.width).toBeUndefined();
  });

  it('sends a file without streams as a document', () => {
    expect(classifyMedia({ format: { format_name: 'mp3' }, streams: [] }).kind).toBe('document');
    expect(classifyMedia({}).kind).toBe('document');
  });

  it('reports no duration when ffprobe gives none', () => {
    expect(classifyMedia({ streams: [{ codec_type: 'audio', codec_name: 'mp3' }] }).durationSeconds).toBeUndefined();
  });

  it('takes the duration from the stream when the format has none', () => {
    const probed = classifyMedia({
      format: { format_name: 'mp3' },
      streams: [{ codec_type: 'audio', codec_name: 'mp3', duration: '9.4' }],
    });
    expect(probed.durationSeconds).toBe(9);
  });
});
