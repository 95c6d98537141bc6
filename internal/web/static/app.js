// Linkwell's progressive enhancement. Every page works without this file.
import { initAll } from './dist/nhsuk-frontend.min.js'

initAll()

// Warn two minutes before the idle timeout signs the user out, and let them stay signed in
// without losing what they are typing.
const WARN_BEFORE_SECONDS = 120

function sessionWarning () {
  const remaining = Number(document.body.dataset.sessionExpiresIn)
  const box = document.getElementById('session-warning')
  const form = document.getElementById('session-keepalive')
  if (!remaining || !box || !form) return

  let deadline = Date.now() + remaining * 1000
  let warnTimer, endTimer

  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    const left = deadline - Date.now()
    warnTimer = setTimeout(() => {
      box.hidden = false
      const text = document.getElementById('session-warning-text')
      text.textContent = 'For your security, you will be signed out in 2 minutes because you have not done anything for a while. Select "Stay signed in" to carry on.'
      box.querySelector('button').focus()
    }, Math.max(0, left - WARN_BEFORE_SECONDS * 1000))
    endTimer = setTimeout(() => {
      window.location.assign('/login?expired=1&next=' + encodeURIComponent(window.location.pathname + window.location.search))
    }, Math.max(0, left))
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const res = await fetch('/session/keepalive', {
      method: 'POST',
      headers: { Accept: 'application/json' },
      credentials: 'same-origin'
    })
    if (!res.ok) {
      window.location.assign('/login?expired=1')
      return
    }
    const body = await res.json()
    deadline = Date.now() + body.expires_in * 1000
    box.hidden = true
    schedule()
  })
  schedule()
}

sessionWarning()

// A page part marked data-refresh-every (a running import's progress) reloads itself every
// few seconds until the page says it is finished, and updates the status sentence named by
// data-refresh-status, which screen readers announce. Without scripts the page's Refresh link
// does the same.
function refreshParts () {
  const part = document.querySelector('[data-refresh-every]')
  if (!part) return
  const seconds = Number(part.dataset.refreshEvery) || 5
  const status = document.getElementById(part.dataset.refreshStatus)
  const tick = async () => {
    let doc
    try {
      const res = await fetch(window.location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      if (!res.ok) return
      doc = new DOMParser().parseFromString(await res.text(), 'text/html')
    } catch {
      return
    }
    const fresh = doc.getElementById(part.id)
    const freshStatus = status && doc.getElementById(status.id)
    if (!fresh) return
    if (freshStatus && freshStatus.textContent !== status.textContent) status.textContent = freshStatus.textContent
    part.replaceChildren(...fresh.childNodes)
    if (fresh.dataset.refreshEvery) setTimeout(tick, seconds * 1000)
  }
  setTimeout(tick, seconds * 1000)
}

refreshParts()
