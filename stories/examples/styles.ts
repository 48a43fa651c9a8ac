/** The few styles the example components share, so each story looks like part of one product. */
export const card = {
  fontFamily: 'system-ui, sans-serif',
  width: 340,
  padding: 20,
  border: '1px solid #d0d7de',
  borderRadius: 8,
  display: 'grid',
  gap: 12,
} as const;
export const button = {
  padding: '8px 14px',
  borderRadius: 6,
  border: '1px solid #1f6feb',
  background: '#1f6feb',
  color: 'white',
  font: 'inherit',
  cursor: 'pointer',
} as const;
export const secondaryButton = { ...button, background: 'white', color: '#1f6feb' } as const;
export const alert = { margin: 0, padding: 10, borderRadius: 6, background: '#ffebe9', color: '#82071e', fontSize: 14 } as const;
export const notice = { margin: 0, padding: 10, borderRadius: 6, background: '#fff8c5', color: '#4d2d00', fontSize: 14 } as const;
export const muted = { color: '#57606a', fontSize: 13 } as const;
