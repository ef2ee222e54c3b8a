export interface BadgeProps {
  count: number;
  label: string;
}

export function Badge({ count, label }: BadgeProps) {
  return (
    <span className="badge" title={label}>
      {count > 99 ? "99+" : count}
    </span>
  );
}
