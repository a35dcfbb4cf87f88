// UI icons as inline SVG (24×24, stroked with currentColor), so they render without an emoji font.
const PATHS = {
  copy: "M9 9h10v11H9z M5 15V4h10",
  check: "M5 12l4 4 10-10",
  like: "M7 11v9H4v-9z M7 11l4-7c1.5 0 2.5 1 2.2 2.6L12.6 10H19a1.8 1.8 0 0 1 1.8 2.1l-1.3 6.3A2 2 0 0 1 17.5 20H7",
  dislike: "M17 13V4h3v9z M17 13l-4 7c-1.5 0-2.5-1-2.2-2.6l.6-3.4H5a1.8 1.8 0 0 1-1.8-2.1l1.3-6.3A2 2 0 0 1 6.5 4H17",
  speaker: "M4 9h4l5-4v14l-5-4H4z M16 9a4 4 0 0 1 0 6 M19 6a8 8 0 0 1 0 12",
  stop: "M7 7h10v10H7z",
  mic: "M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 11a7 7 0 0 0 14 0 M12 18v3",
  clip: "M20 11l-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L14 7",
  link: "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1",
  close: "M6 6l12 12 M18 6L6 18",
  menu: "M4 7h16 M4 12h16 M4 17h16",
  more: "M5 12h.01 M12 12h.01 M19 12h.01",
  refresh: "M20 11a8 8 0 0 0-14.6-4.5L4 8 M4 4v4h4 M4 13a8 8 0 0 0 14.6 4.5L20 16 M20 20v-4h-4",
  star: "M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z",
  trash: "M4 7h16 M10 11v6 M14 11v6 M6 7l1 13h10l1-13 M9 7V4h6v3",
  file: "M6 3h8l4 4v14H6z M14 3v4h4",
  plus: "M12 5v14 M5 12h14",
  send: "M4 12l16-8-6 16-2.5-6.5z",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, filled }: { name: IconName; filled?: boolean }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false" fill={filled ? "currentColor" : "none"} stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
