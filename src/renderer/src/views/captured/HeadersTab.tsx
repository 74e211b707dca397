import type { HeaderList } from '../../api/types.js';
import { normalizeHeaders } from './preview-document.js';

export function HeadersTab({ headers }: { headers: HeaderList }) {
  const rows = normalizeHeaders(headers);
  if (rows.length === 0) return <p className="muted pad">No headers.</p>;
  return (
    <table className="headers-table">
      <thead>
        <tr>
          <th scope="col">Header</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((h, i) => (
          <tr key={i}>
            <th scope="row">{h.key}</th>
            <td>{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
