import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../lib/router';

export function Link(props: { to: string; class?: string; children: ComponentChildren; title?: string }) {
  return (
    <a href={props.to} class={props.class} title={props.title} onClick={(e) => onLinkClick(e, props.to)}>
      {props.children}
    </a>
  );
}
