/**
 * Node types and running one node (the Nodes view), through the conductor: `node.run` starts the node,
 * reports every status (live state and progress), honours an AbortSignal (the Cancel button) and ends
 * with the final record, which carries the outputs or the node's error.
 *
 * Errors land where they belong: INVALID_PARAMS issues at `['inputs', field]`, and a failed node's own
 * issues (paths relative to its inputs), become `fieldIssues` for the form; the rest is the run's error.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef, watch } from 'vue'
import type { ExecutionRecord, NodeStatus, NodeTypeInfo } from '../conductor'
import { issuesUnder, toErrorInfo, type ErrorInfo, type Issue } from '../lib/errors'
import { plain } from '../lib/plain'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export type NodeType = NodeTypeInfo
export type RunPhase = 'starting' | NodeStatus['state'] | 'rejected'

export interface NodeRun {
  readonly typeId: string
  phase: RunPhase
  executionId?: string
  progress?: { fraction: number; message?: string }
  record?: ExecutionRecord
  /** The call's or the node's error. */
  error?: ErrorInfo
  /** Issues to show at the form's fields (paths relative to the inputs). */
  fieldIssues: Issue[]
  durationMs?: number
}

const LIVE = new Set<RunPhase>(['starting', 'pending', 'running'])

export const useNodesStore = defineStore('nodes', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const types = shallowRef<readonly NodeType[]>([])
  const typesError = ref<ErrorInfo | null>(null)
  const loading = ref(false)
  const selectedId = ref<string | null>(null)
  /** Form data per node type, kept while switching between types. */
  const drafts = reactive<Record<string, Record<string, unknown>>>({})
  const run = ref<NodeRun | null>(null)
  let controller: AbortController | undefined
  let started = false

  const selected = computed(() => types.value.find((type) => type.id === selectedId.value) ?? null)
  const byCategory = computed(() => {
    const groups = new Map<string, NodeType[]>()
    for (const type of types.value) {
      const category = type.category ?? 'other'
      groups.set(category, [...(groups.get(category) ?? []), type])
    }
    return [...groups].map(([category, members]) => ({ category, types: members }))
  })
  const running = computed(() => run.value !== null && LIVE.has(run.value.phase))

  async function loadTypes(): Promise<void> {
    if (!catalog.hasMethod('node.listTypes')) {
      types.value = []
      return
    }
    loading.value = true
    try {
      types.value = await connection.api().node.types()
      typesError.value = null
      if (!selectedId.value || !types.value.some((type) => type.id === selectedId.value)) selectedId.value = types.value[0]?.id ?? null
    } catch (caught) {
      typesError.value = toErrorInfo(caught)
    } finally {
      loading.value = false
    }
  }

  function start(): Promise<void> {
    if (!started) {
      started = true
      watch(() => catalog.version, () => void loadTypes())
    }
    return loadTypes()
  }

  function select(id: string): void {
    selectedId.value = id
  }

  function setDraft(id: string, data: Record<string, unknown>): void {
    drafts[id] = data
  }

  /** Runs a node with the given inputs until it ends (succeeded, failed, cancelled) or is refused. */
  async function execute(typeId: string, inputs: Record<string, unknown>): Promise<void> {
    controller?.abort()
    const own = (controller = new AbortController())
    run.value = { typeId, phase: 'starting', fieldIssues: [] }
    const current = run.value
    try {
      const record = await connection.api().node.run(typeId, plain(inputs), {
        signal: own.signal,
        onStatus: (status) => {
          current.executionId = status.executionId
          current.phase = status.state
          if (status.progress) current.progress = status.progress
          if (status.durationMs !== undefined) current.durationMs = status.durationMs
        },
      })
      current.record = record
      current.phase = record.state
      if (record.durationMs !== undefined) current.durationMs = record.durationMs
      if (record.error) {
        current.error = toErrorInfo(record.error)
        current.fieldIssues = [...current.error.issues]
      }
    } catch (caught) {
      const error = toErrorInfo(caught)
      current.phase = 'rejected'
      current.error = error
      current.fieldIssues = error.code === 'INVALID_PARAMS' ? issuesUnder(error.issues, ['inputs']) : []
    } finally {
      if (controller === own) controller = undefined
    }
  }

  function cancel(): void {
    controller?.abort()
  }

  return { types, typesError, loading, selectedId, selected, byCategory, drafts, run, running, start, loadTypes, select, setDraft, execute, cancel }
})
