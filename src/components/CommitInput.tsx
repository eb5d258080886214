import React, { useState } from 'react';
import { Field, Input } from '@grafana/ui';

interface Props {
  label: string;
  testId: string;
  value: string;
  onCommit: (value: string) => void;
  width?: number;
}

/** A text filter applied on Enter or when leaving the field, not on every key. */
export function CommitInput({ label, testId, value, onCommit, width = 20 }: Props) {
  const [text, setText] = useState(value);
  // Follow outside changes (back/forward navigation rewrites the URL).
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  const commit = () => text.trim() !== value && onCommit(text.trim());
  return (
    <Field label={label} noMargin>
      <Input
        width={width}
        data-testid={testId}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && commit()}
      />
    </Field>
  );
}
