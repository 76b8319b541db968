import { settingsKeyboard } from '../../activities/adapters/keyboards.js';
import { applySettingsChoice, type ChatSettings } from '../../shared/contracts/chatSettings.js';

function splitRow(settings: ChatSettings): string[] {
  return settingsKeyboard(settings).inline_keyboard[2]!.map((button) => button.text);
}

describe('the split setting', () => {
  it('reads as on for a settings record stored before it existed', () => {
    expect(splitRow({ mode: 'video', maxHeight: 480 })).toEqual(['✓ ✂ Split big videos', 'Don’t split']);
  });

  it('is switched off and on again beside mode and quality, leaving them as they were', () => {
    const off = applySettingsChoice({ mode: 'audio', maxHeight: 720 }, { setting: 'split', value: false });
    expect(off).toEqual({ mode: 'audio', maxHeight: 720, split: false });
    expect(splitRow(off)).toEqual(['✂ Split big videos', '✓ Don’t split']);
    expect(applySettingsChoice(off, { setting: 'split', value: true })).toEqual({
      mode: 'audio',
      maxHeight: 720,
      split: true,
    });
  });
});
