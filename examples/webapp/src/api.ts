import type { Todo, User } from "./models";

const BASE_URL = "https://api.example.com";

export async function fetchUser(id: number): Promise<User> {
  const response = await fetch(`${BASE_URL}/users/${id}`);
  return (await response.json()) as User;
}

export async function fetchTodos(userId: number): Promise<Todo[]> {
  const response = await fetch(`${BASE_URL}/users/${userId}/todos`);
  return (await response.json()) as Todo[];
}

// Forgot to await the promise.
export async function loadUserName(id: number): Promise<string> {
  const user = fetchUser(id);
  return user.name;
}

export function retryDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** attempt, 30_000);
}

export const defaultRetry = retryDelay(3);
