import type { Todo } from "./models";

export const defaultTodo: Todo = {
  id: 0,
  title: "Write the first todo",
};

export function addTodo(todos: Todo[], title: string, done: boolean): Todo[] {
  const id = todos.length + 1;
  return [...todos, { id, title, done }];
}

export function withFirstTodo(todos: Todo[]): Todo[] {
  return addTodo(todos, "First");
}

export const pageSize: number = "20";
