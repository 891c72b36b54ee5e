import { escapeHtml, html, trustedHtml } from './html';

describe('html template', () => {
  it('escapes every interpolated string, for text and attributes alike', () => {
    const name = `"><script>alert('x')</script>&`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('nests templates without double escaping, and renders lists and empty values', () => {
    const item = (s: string) => html`<li>${s}</li>`;
    expect(html`<ul>${['a<b', 'c&d'].map(item)}</ul>${null}${undefined}${false}`.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
    expect(html`${42} ${trustedHtml('<b>ok</b>')}`.value).toBe('42 <b>ok</b>');
  });
});
