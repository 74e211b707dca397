import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HtmlPreview } from '../../../../src/renderer/src/views/captured/HtmlPreview.js';
import { useComponentDom } from '../../../support/renderer/render-with-relay.js';

useComponentDom();

describe('HtmlPreview', () => {
  it('renders in a script-less sandbox with remote content blocked until allowed', () => {
    render(
      <HtmlPreview
        html={'<p>Hello</p><img src="https://tracker.example/p.gif"><img src="cid:logo">'}
        attachments={[{ index: 0, filename: 'logo.png', content_type: 'image/png', size: 10, cid: '<logo>', inline: true }]}
        attachmentUrl={(i) => `http://relay/api/captured/1/attachments/${i}?token=t`}
        relayOrigin="http://relay"
        subject="Hi"
      />,
    );
    const frame = screen.getByTitle('HTML preview: Hi') as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const srcdoc = frame.getAttribute('srcdoc')!;
    expect(srcdoc).toContain('Content-Security-Policy');
    expect(srcdoc).toContain('http://relay/api/captured/1/attachments/0?token=t');
    expect(screen.getByText('1 remote resource blocked')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load remote images' }));
    expect(frame.getAttribute('srcdoc')).toContain('img-src * http: https:');
    fireEvent.click(screen.getByRole('radio', { name: 'Mobile' }));
    expect(frame.style.width).toBe('375px');
  });
});
