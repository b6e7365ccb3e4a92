import { useContext } from 'react';
import { ThemeContext, type Theme } from '../components/theme.js';

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
