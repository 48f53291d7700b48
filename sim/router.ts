/**
 * A small path router: a segment trie where literal segments win over `{param}` segments (so
 * `/contractor_payments/preview` is not taken for a payment id), with backtracking. Each route keeps
 * its own parameter names because Gusto spells the same position differently across endpoints
 * (`{company_id}` here, `{company_uuid}` there).
 */

export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

interface Node<R> {
  literal: Map<string, Node<R>>;
  param: Node<R> | null;
  routes: Map<string, { route: R; names: string[] }>;
}

const newNode = <R>(): Node<R> => ({ literal: new Map(), param: null, routes: new Map() });

export function splitPath(path: string): string[] {
  const segments = path.split('/');
  // A leading slash gives an empty first segment; a trailing slash is tolerated.
  if (segments[0] === '') segments.shift();
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

export class Router<R> {
  private readonly root: Node<R> = newNode();

  add(method: string, template: string, route: R): void {
    let node = this.root;
    const names: string[] = [];
    for (const segment of splitPath(template)) {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        names.push(param[1] ?? '');
        node.param ??= newNode();
        node = node.param;
      } else {
        let next = node.literal.get(segment);
        if (!next) {
          next = newNode();
          node.literal.set(segment, next);
        }
        node = next;
      }
    }
    if (node.routes.has(method)) throw new Error(`duplicate route ${method} ${template}`);
    node.routes.set(method, { route, names });
  }

  match(method: string, path: string): RouteMatch<R> | null {
    const segments = splitPath(path);
    const captured: string[] = [];
    const found = this.walk(this.root, segments, 0, method, captured);
    if (!found) return null;
    const params: Record<string, string> = {};
    found.names.forEach((name, i) => (params[name] = captured[i] ?? ''));
    return { route: found.route, params };
  }

  private walk(
    node: Node<R>,
    segments: string[],
    index: number,
    method: string,
    captured: string[],
  ): { route: R; names: string[] } | null {
    if (index === segments.length) return node.routes.get(method) ?? null;
    const segment = segments[index] ?? '';
    const literal = node.literal.get(segment);
    if (literal) {
      const hit = this.walk(literal, segments, index + 1, method, captured);
      if (hit) return hit;
    }
    if (node.param && segment !== '') {
      captured.push(safeDecode(segment));
      const hit = this.walk(node.param, segments, index + 1, method, captured);
      if (hit) return hit;
      captured.pop();
    }
    return null;
  }
}

function safeDecode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
