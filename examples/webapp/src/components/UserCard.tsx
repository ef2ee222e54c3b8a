import type { Todo, User } from "../models";
import { Badge } from "./Badge";

interface UserCardProps {
  user: User;
  todos: Todo[];
}

export function UserCard({ user, todos }: UserCardProps) {
  const open = todos.filter((todo) => !todo.done);
  const next = todos.find((todo) => !todo.done);
  return (
    <article className="user-card">
      <h2>{formatName(user)}</h2>
      <Badge count={`${open.length}`} label="open todos" />
      <p>Next up: {next.title}</p>
    </article>
  );
}
