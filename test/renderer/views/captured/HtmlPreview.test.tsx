import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetPreviewState } from '../../../../src/renderer/src/hooks/usePreviewState.js';
import { HtmlPreview } from '../../../../src/renderer/src/views/captured/HtmlPreview.js';
import { useComponentDom } from '../../../support/renderer/render-with-relay.js';

useComponentDom();
beforeEach(() => resetPreviewState());

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const attachment = (index: number, cid: string | null) => ({ index, filename: `part${index}.png`, content_type: 'image/png', size: 8, cid, inline: cid !== null });

describe('HtmlPreview', () => {
  it('renders in a script-less sandbox with remote content blocked until allowed', async () => {
    const loadPart = vi.fn(async () => new Blob([PNG], { type: 'image/png' }));
    render(
      <HtmlPreview
        html={'<p>Hello</p><img src="https://tracker.example/p.gif"><img src="cid:logo">'}
        attachments={[attachment(0, '<logo>')]}
        loadPart={loadPart}
        subject="Hi"
      />,
    );
    const frame = (await screen.findByTitle('HTML preview: Hi')) as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const srcdoc = frame.getAttribute('srcdoc')!;
    expect(srcdoc).toContain('Content-Security-Policy');
    expect(screen.getByText('1 remote resource blocked')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load remote images' }));
    expect(frame.getAttribute('srcdoc')).toContain('img-src * http: https:');
    fireEvent.click(screen.getByRole('radio', { name: 'Mobile' }));
    expect(frame.style.width).toBe('375px');
  });

  it('shows inline parts as data: URLs fetched through loadPart, so no URL in the mail carries the token', async () => {
    const loadPart = vi.fn(async (index: number) => new Blob([PNG], { type: index === 0 ? 'image/png' : 'image/gif' }));
    render(
      <HtmlPreview
        html={'<img id="a" src="cid:logo@x"><div style="background:url(cid:bg@x)"></div>'}
        attachments={[attachment(0, '<logo@x>'), attachment(1, '<bg@x>'), attachment(2, '<unused@x>'), attachment(3, null)]}
        loadPart={loadPart}
        subject="Inline"
      />,
    );
    expect(screen.getByText('Loading preview…')).toBeTruthy();
    const frame = (await screen.findByTitle('HTML preview: Inline')) as HTMLIFrameElement;
    const srcdoc = frame.getAttribute('srcdoc')!;
    const doc = new DOMParser().parseFromString(srcdoc, 'text/html');
    expect(doc.getElementById('a')?.getAttribute('src')).toBe(`data:image/png;base64,${Buffer.from(PNG).toString('base64')}`);
    expect(doc.querySelector('div')?.getAttribute('style')).toContain('url(data:image/gif;base64,');
    // only the parts the HTML refers to are fetched
    expect(loadPart.mock.calls.map(([i]) => i).sort()).toEqual([0, 1]);
    expect(srcdoc).not.toMatch(/token|\/api\//);
  });

  it('leaves a part that cannot be fetched as a bare cid: reference', async () => {
    const loadPart = vi.fn(async () => {
      throw new Error('gone');
    });
    render(<HtmlPreview html={'<p>x</p><img id="a" src="cid:logo@x">'} attachments={[attachment(0, 'logo@x')]} loadPart={loadPart} subject="Broken" />);
    const frame = (await screen.findByTitle('HTML preview: Broken')) as HTMLIFrameElement;
    const doc = new DOMParser().parseFromString(frame.getAttribute('srcdoc')!, 'text/html');
    expect(doc.getElementById('a')?.getAttribute('src')).toBe('cid:logo@x');
  });

  it('keeps the width and the remote-content choice when it is shown again (another tab was open), per mail for remote content', async () => {
    const loadPart = vi.fn(async () => new Blob([PNG], { type: 'image/png' }));
    const html = '<p>Hello</p><img src="https://tracker.example/p.gif">';
    const view = render(<HtmlPreview html={html} attachments={[]} loadPart={loadPart} subject="Hi" />);
    await screen.findByTitle('HTML preview: Hi');
    fireEvent.click(screen.getByRole('button', { name: 'Load remote images' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Tablet' }));
    view.unmount();

    render(<HtmlPreview html={html} attachments={[]} loadPart={loadPart} subject="Hi" />);
    const frame = (await screen.findByTitle('HTML preview: Hi')) as HTMLIFrameElement;
    expect(frame.style.width).toBe('768px');
    expect(screen.getByRole('button', { name: 'Block remote content' })).toBeTruthy();
    cleanup();

    // another mail keeps the width, but its remote content stays blocked until allowed for it
    render(<HtmlPreview html={'<p>Other</p><img src="https://tracker.example/q.gif">'} attachments={[]} loadPart={loadPart} subject="Other" />);
    const other = (await screen.findByTitle('HTML preview: Other')) as HTMLIFrameElement;
    expect(other.style.width).toBe('768px');
    expect(screen.getByRole('button', { name: 'Load remote images' })).toBeTruthy();
  });
});
