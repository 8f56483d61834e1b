/**
 * Workflows (the Workflows view): the saved list, one draft being edited, its validation problems
 * (paths relative to the document, so the editor shows each at its node or edge row), runs with live
 * progress (the conductor's `workflow.start` follows `workflow.progress` / `workflow.runFinished`),
 * cancel, and the run history.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { NodeTypeInfo, Output, WorkflowDocument, WorkflowProgress, WorkflowRun } from '../conductor'
import { issuesUnder, toErrorInfo, type ErrorInfo, type Issue } from '../lib/errors'
import { plain } from '../lib/plain'
import { workflowFromYaml, workflowToYaml } from '../lib/workflow-yaml'
import { useCatalogStore } from './catalog'
import { useConnectionStore } from './connection'

export type WorkflowSummary = Output<'workflow.list'>['workflows'][number]
export type StoredWorkflow = Output<'workflow.get'>
export type { WorkflowDocument }
export type WorkflowNode = WorkflowDocument['nodes'][number]
export type WorkflowEdge = WorkflowDocument['edges'][number]
export type RunSummary = Output<'workflow.listRuns'>['runs'][number]
export type RunDetails = WorkflowRun

export interface Draft {
  /** Undefined until saved. */
  id?: string
  version?: number
  doc: WorkflowDocument
}

export interface LiveRun {
  runId?: string
  workflowId: string
  status: 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'rejected'
  completed: number
  total: number
  nodes: Record<string, string>
  /** The fraction done (0..1) a running node last reported (a loop's items...), by node id. */
  progress: Record<string, number>
  error?: ErrorInfo
  cancelling?: boolean
  /** The finished run, with every node's outputs. */
  result?: WorkflowRun
}

export function blankWorkflow(): WorkflowDocument {
  return { name: 'Untitled workflow', description: '', nodes: [{ id: 'start', type: 'core.constant', inputs: { value: 'hello' }, position: { x: 0, y: 0 } }], edges: [] }
}

function documentOf(saved: StoredWorkflow): WorkflowDocument {
  const { name, description, nodes, edges, triggers } = saved
  return JSON.parse(
    JSON.stringify({ name, ...(description === undefined ? {} : { description }), nodes, edges, ...(triggers === undefined ? {} : { triggers }) }),
  ) as WorkflowDocument
}

/**
 * The document as the host takes it: empty descriptions, labels and inputs left out, everything else kept
 * (retries, time limits and triggers the forms do not show included). It reads through
 * the reactive draft (so `dirty` tracks every edit); `plain()` it before sending.
 */
function cleanDocument(doc: WorkflowDocument): WorkflowDocument {
  return {
    name: doc.name,
    ...(doc.description ? { description: doc.description } : {}),
    nodes: doc.nodes.map((node) => ({
      id: node.id,
      type: node.type,
      ...(node.label ? { label: node.label } : {}),
      ...(node.inputs && Object.keys(node.inputs).length > 0 ? { inputs: node.inputs } : {}),
      ...(node.position ? { position: { x: node.position.x, y: node.position.y } } : {}),
      // Not in the forms, but the person's: a save must never drop them.
      ...(node.retry ? { retry: node.retry } : {}),
      ...(node.timeoutMs !== undefined ? { timeoutMs: node.timeoutMs } : {}),
    })),
    edges: doc.edges,
    ...(doc.triggers ? { triggers: doc.triggers } : {}),
  }
}

export const useWorkflowsStore = defineStore('workflows', () => {
  const connection = useConnectionStore()
  const catalog = useCatalogStore()
  const summaries = shallowRef<readonly WorkflowSummary[]>([])
  const listError = ref<ErrorInfo | null>(null)
  const draft = ref<Draft | null>(null)
  const savedJson = ref<string | null>(null)
  const problems = ref<Issue[]>([])
  const validating = ref(false)
  const saving = ref(false)
  const saveError = ref<ErrorInfo | null>(null)
  const runs = shallowRef<readonly RunSummary[]>([])
  /** The engine's control node types (`workflow.controlTypes`), for the canvas's palette beside the node plugin's. */
  const controlTypes = shallowRef<readonly NodeTypeInfo[]>([])
  const live = ref<LiveRun | null>(null)
  const details = shallowRef<RunDetails | null>(null)
  /**
   * The saved workflow moved on elsewhere (another tab or window saved or deleted it) while this draft has
   * edits of its own: the person chooses to load theirs, overwrite with this draft, or keep editing.
   */
  const conflict = ref<{ id: string; version?: number; deleted: boolean; at: 'save' | 'elsewhere' } | null>(null)
  let cancelRun: (() => Promise<boolean>) | undefined
  let started = false
  let validateTimer: ReturnType<typeof setTimeout> | undefined
  let validation = 0
  let removing: string | undefined

  const dirty = computed(() => draft.value !== null && JSON.stringify(cleanDocument(draft.value.doc)) !== savedJson.value)
  const running = computed(() => live.value !== null && (live.value.status === 'running' || live.value.status === 'starting'))

  async function loadList(): Promise<void> {
    if (!catalog.hasMethod('workflow.list')) {
      summaries.value = []
      return
    }
    try {
      summaries.value = await connection.api().workflow.list()
      listError.value = null
    } catch (caught) {
      listError.value = toErrorInfo(caught)
    }
  }

  async function loadControlTypes(): Promise<void> {
    if (!catalog.hasMethod('workflow.controlTypes')) {
      controlTypes.value = []
      return
    }
    try {
      controlTypes.value = await connection.api().workflow.controlTypes()
    } catch {
      controlTypes.value = []
    }
  }

  async function loadRuns(): Promise<void> {
    const id = draft.value?.id
    if (id === undefined || !catalog.hasMethod('workflow.listRuns')) {
      runs.value = []
      return
    }
    try {
      runs.value = (await connection.api().workflow.runs(id)).slice(0, 20)
    } catch {
      runs.value = []
    }
  }

  function start(): Promise<void> {
    if (!started) {
      started = true
      catalog.follow('workflow.changed', (event) => {
        void loadList()
        void followChange(event)
      })
      // Runs started elsewhere (another window, the explorer) show up in the history too.
      catalog.follow('workflow.runFinished', (event) => {
        if (event.workflowId === draft.value?.id) void loadRuns()
      })
      watch(() => catalog.version, () => {
        void loadList()
        void loadControlTypes()
      })
      // Reloading or closing the tab with unsaved edits asks first (the browser's own question). The
      // store also runs without a window (its tests, in Node).
      if (typeof window !== 'undefined') window.addEventListener('beforeunload', (event) => {
        if (!dirty.value) return
        event.preventDefault()
        event.returnValue = ''
      })
    }
    return Promise.all([loadList(), loadControlTypes()]).then(() => undefined)
  }

  /** Another tab saved or deleted the open workflow: reload it if this draft has no edits, else say so. */
  async function followChange(event: { id: string; op: string; version?: number | undefined }): Promise<void> {
    const current = draft.value
    // This tab's own save or delete comes back as an event too.
    if (!current?.id || event.id !== current.id || saving.value || removing === event.id) return
    if (event.op !== 'deleted' && event.version !== undefined && event.version <= (current.version ?? 0)) return
    if (!dirty.value && event.op !== 'deleted') {
      await open(current.id)
      return
    }
    conflict.value = { id: current.id, ...(event.version === undefined ? {} : { version: event.version }), deleted: event.op === 'deleted', at: 'elsewhere' }
  }

  /** Drops this draft's edits for the saved workflow as it is now. */
  async function loadTheirs(): Promise<void> {
    const id = conflict.value?.id ?? draft.value?.id
    conflict.value = null
    if (id) await open(id)
  }

  /** Saves this draft over whatever was saved meanwhile (or again, if it was deleted meanwhile). */
  async function overwrite(): Promise<boolean> {
    const current = draft.value
    const state = conflict.value
    conflict.value = null
    if (!current?.id) return false
    if (state?.deleted) {
      delete current.id
      delete current.version
    } else {
      try {
        current.version = (await connection.api().workflow.get(current.id)).version
      } catch (caught) {
        saveError.value = toErrorInfo(caught)
        return false
      }
    }
    return save()
  }

  function keepEditing(): void {
    conflict.value = null
  }

  function edit(next: Draft, saved: boolean): void {
    conflict.value = null
    draft.value = next
    savedJson.value = saved ? JSON.stringify(cleanDocument(next.doc)) : null
    problems.value = []
    saveError.value = null
    details.value = null
    if (live.value && live.value.workflowId !== next.id) live.value = null
    void loadRuns()
  }

  async function open(id: string): Promise<void> {
    try {
      const saved = await connection.api().workflow.get(id)
      edit({ id: saved.id, version: saved.version, doc: documentOf(saved) }, true)
    } catch (caught) {
      listError.value = toErrorInfo(caught)
    }
  }

  function create(): void {
    edit({ doc: blankWorkflow() }, false)
    scheduleValidation(0)
  }

  /** Puts another version of the document in the draft (undo, redo): the same workflow, not saved. */
  function replaceDocument(doc: WorkflowDocument): void {
    if (draft.value) draft.value.doc = doc
  }

  /** The open draft as a YAML file's text (what is on screen, saved or not). */
  function exportYaml(): string | undefined {
    return draft.value ? workflowToYaml(plain(cleanDocument(draft.value.doc))) : undefined
  }

  /**
   * A YAML file's workflow, checked by the host: YAML errors at their line, shape errors at their path
   * (nothing is opened), or the document opened as a new unsaved draft with its graph problems shown.
   */
  async function importYaml(text: string): Promise<{ opened: boolean; problems: Issue[] }> {
    const parsed = workflowFromYaml(text)
    if (!parsed.ok) return { opened: false, problems: parsed.problems }
    const doc = parsed.doc as unknown as WorkflowDocument
    let found: Issue[]
    try {
      found = await connection.api().workflow.validate(doc)
    } catch (caught) {
      const info = toErrorInfo(caught)
      return { opened: false, problems: problemsOf(info) ?? [{ path: [], message: info.message, code: info.code }] }
    }
    const { id: _ignored, ...rest } = doc
    edit({ doc: { ...rest, description: rest.description ?? '' } }, false)
    problems.value = found
    return { opened: true, problems: found }
  }

  /** A new unsaved draft with the open one's graph, named as a copy. */
  function duplicate(): void {
    const current = draft.value
    if (!current) return
    const copy = JSON.parse(JSON.stringify(cleanDocument(current.doc))) as WorkflowDocument
    edit({ doc: { ...copy, name: `${copy.name} (copy)`.slice(0, 100), description: copy.description ?? '' } }, false)
    scheduleValidation(0)
  }

  function close(): void {
    draft.value = null
    savedJson.value = null
    problems.value = []
    runs.value = []
    live.value = null
    details.value = null
  }

  /** Shape errors (zod, under `workflow`) and graph problems alike, relative to the document. */
  function problemsOf(error: ErrorInfo): Issue[] | undefined {
    if (error.code !== 'INVALID_PARAMS') return undefined
    const under = issuesUnder(error.issues, ['workflow'])
    return under.length > 0 ? under : undefined
  }

  async function validate(): Promise<void> {
    const current = draft.value
    if (!current || !catalog.hasMethod('workflow.validate')) return
    const ticket = ++validation
    validating.value = true
    try {
      const found = await connection.api().workflow.validate(plain(cleanDocument(current.doc)))
      if (ticket === validation) problems.value = found
    } catch (caught) {
      if (ticket !== validation) return
      const info = toErrorInfo(caught)
      const shape = problemsOf(info)
      problems.value = shape ?? []
      if (!shape) saveError.value = info
    } finally {
      if (ticket === validation) validating.value = false
    }
  }

  function scheduleValidation(delayMs = 350): void {
    clearTimeout(validateTimer)
    validateTimer = setTimeout(() => void validate(), delayMs)
  }

  async function save(): Promise<boolean> {
    const current = draft.value
    if (!current) return false
    saving.value = true
    saveError.value = null
    const workflow = plain(cleanDocument(current.doc))
    try {
      const api = connection.api()
      const saved = current.id === undefined ? await api.workflow.create(workflow) : await api.workflow.update(current.id, workflow, current.version)
      current.id = saved.id
      current.version = saved.version
      savedJson.value = JSON.stringify(cleanDocument(current.doc))
      problems.value = []
      await Promise.all([loadList(), loadRuns()])
      return true
    } catch (caught) {
      const info = toErrorInfo(caught)
      if ((info.code === 'CONFLICT' || info.code === 'NOT_FOUND') && current.id !== undefined) {
        const actual = (info.data as { actualVersion?: unknown } | undefined)?.actualVersion
        conflict.value = { id: current.id, ...(typeof actual === 'number' ? { version: actual } : {}), deleted: info.code === 'NOT_FOUND', at: 'save' }
        return false
      }
      const shape = problemsOf(info)
      if (shape) problems.value = shape
      saveError.value = info
      return false
    } finally {
      saving.value = false
    }
  }

  async function remove(): Promise<boolean> {
    const current = draft.value
    if (!current?.id) {
      close()
      return true
    }
    try {
      removing = current.id
      await connection.api().workflow.remove(current.id)
      close()
      await loadList()
      return true
    } catch (caught) {
      saveError.value = toErrorInfo(caught)
      return false
    } finally {
      removing = undefined
    }
  }

  /**
   * Progress events are applied once per animation frame, together: a run of 500 nodes sends a thousand
   * events or more, and applying each on arrival would repaint the canvas more often than the screen
   * shows it. Outside a window (the store's Node tests) they are applied on the next macrotask.
   */
  const pendingProgress: Array<{ state: LiveRun; event: WorkflowProgress }> = []
  let progressFrame = false
  const nextFrame = (apply: () => void): void => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(apply)
    else setTimeout(apply, 0)
  }

  function onProgress(state: LiveRun, event: WorkflowProgress): void {
    pendingProgress.push({ state, event })
    if (progressFrame) return
    progressFrame = true
    nextFrame(flushProgress)
  }

  function flushProgress(): void {
    progressFrame = false
    for (const { state, event } of pendingProgress.splice(0)) applyProgress(state, event)
  }

  function applyProgress(state: LiveRun, event: WorkflowProgress): void {
    state.runId = event.runId
    state.completed = Math.max(state.completed, event.completed)
    state.total = event.total
    if (state.nodes[event.nodeId] !== event.state) state.nodes[event.nodeId] = event.state
    if (event.progress !== undefined) state.progress[event.nodeId] = event.progress.fraction
  }

  function finish(state: LiveRun, run: WorkflowRun): void {
    flushProgress()
    state.status = run.status
    state.completed = run.completed
    state.total = run.total
    state.cancelling = false
    for (const [nodeId, node] of Object.entries(run.nodes)) state.nodes[nodeId] = node.state
    if (run.error) state.error = toErrorInfo(run.error)
    state.result = run
  }

  /**
   * Runs the saved workflow (with an input overlay, or from a node of a past run); progress and the end
   * arrive through the conductor's run handle. Answers the refusal's issues (e.g. overlay inputs at
   * their paths) for the caller to show.
   */
  async function run(options: { inputs?: Record<string, Record<string, unknown>>; from?: { runId: string; nodeId: string } } = {}): Promise<ErrorInfo | null> {
    const current = draft.value
    if (!current?.id) return null
    details.value = null
    live.value = { workflowId: current.id, status: 'starting', completed: 0, total: current.doc.nodes.length, nodes: {}, progress: {} }
    const state = live.value
    try {
      const handle = await connection.api().workflow.start(current.id, {
        ...(options.inputs === undefined ? {} : { inputs: plain(options.inputs) }),
        ...(options.from === undefined ? {} : { from: options.from }),
        onProgress: (event) => onProgress(state, event),
      })
      state.runId = handle.runId
      if (state.status === 'starting') state.status = 'running'
      cancelRun = handle.cancel
      void loadRuns()
      finish(state, await handle.done)
      return null
    } catch (caught) {
      state.status = state.runId === undefined ? 'rejected' : 'failed'
      state.cancelling = false
      state.error = toErrorInfo(caught)
      return state.error
    } finally {
      if (live.value === state) cancelRun = undefined
      if (state.runId !== undefined) void loadRuns()
    }
  }

  /** Runs again with the inputs a past run had. */
  function rerun(past: RunDetails): Promise<ErrorInfo | null> {
    return run(Object.keys(past.inputs).length > 0 ? { inputs: past.inputs } : {})
  }

  /** Re-runs a past run from one node: the nodes it needs keep their recorded outputs. */
  function rerunFrom(past: RunDetails, nodeId: string): Promise<ErrorInfo | null> {
    return run({ from: { runId: past.runId, nodeId }, ...(Object.keys(past.inputs).length > 0 ? { inputs: past.inputs } : {}) })
  }

  function closeRun(): void {
    details.value = null
  }

  async function cancel(): Promise<void> {
    const state = live.value
    if (!state || !cancelRun) return
    state.cancelling = true
    try {
      await cancelRun()
    } catch (caught) {
      state.cancelling = false
      state.error = toErrorInfo(caught)
    }
  }

  async function showRun(runId: string): Promise<void> {
    try {
      details.value = await connection.api().client.workflow.getRun({ runId })
    } catch (caught) {
      saveError.value = toErrorInfo(caught)
    }
  }

  return {
    summaries, controlTypes, listError, draft, problems, conflict, loadTheirs, overwrite, keepEditing, validating, saving, saveError, runs, live, details, dirty, running,
    start, loadList, loadRuns, open, create, close, replaceDocument, exportYaml, importYaml, duplicate, rerun, rerunFrom, closeRun, validate, scheduleValidation, save, remove, run, cancel, showRun,
  }
})
