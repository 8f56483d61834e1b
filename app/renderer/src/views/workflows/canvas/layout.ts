/**
 * Auto-layout with elkjs (the Eclipse Layout Kernel): its layered algorithm places a directed graph in
 * columns by dependency and routes around crossings far better than a hand-written ranking, it is
 * maintained, and its bundled build is plain compiled JavaScript (no `eval`, no `new Function`), so it
 * runs under the renderer's CSP without `unsafe-eval`. The bundled build runs on the calling thread (a
 * fake worker); a layout is one click, never per frame.
 */
import ELK from 'elkjs/lib/elk.bundled.js'

export interface LayoutNode {
  readonly id: string
  readonly width: number
  readonly height: number
}

export interface LayoutEdge {
  readonly source: string
  readonly target: string
}

let elk: InstanceType<typeof ELK> | undefined

/** Positions (top-left corners) for every node, left to right by dependency. */
export async function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Promise<Map<string, { x: number; y: number }>> {
  elk ??= new ELK()
  const known = new Set(nodes.map((node) => node.id))
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
    },
    children: nodes.map((node) => ({ id: node.id, width: node.width, height: node.height })),
    edges: edges
      .filter((edge) => known.has(edge.source) && known.has(edge.target))
      .map((edge, index) => ({ id: `e${index}`, sources: [edge.source], targets: [edge.target] })),
  })
  return new Map((graph.children ?? []).map((child) => [child.id, { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) }]))
}
